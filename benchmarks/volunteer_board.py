"""The 十百千万 board (issue #12) at 200,000 volunteers and a year of activities on PostgreSQL.

    .venv/bin/python benchmarks/volunteer_board.py                       # build yinling_bench_vol, time, keep it
    .venv/bin/python benchmarks/volunteer_board.py --reuse               # time an existing database again
    .venv/bin/python benchmarks/volunteer_board.py --volunteers 50000    # a smaller run on a busy machine

Builds its own database: the demo org tree and staff accounts, `--volunteers` registry retirees (the
registry's demo generator, two processes), every one of them a volunteer, a team at every unit, station
and county (kinds in turn), 24 activities a team over the past year and about ten check-ins a volunteer
(bulk SQL), the cached totals and stars as `hours.recompute()` would leave them, this year's targets.

Then, as the province's bureau admin (`zhejiang`, the whole province) through Django's test Client:

- warm: each volunteering panel's JSON endpoint at the province, from the cache (Redis DB `--redis`):
  p50, p95, max; the issue asks for the province view under 300 ms warm;
- cold, per panel: our panel function against the same figures by plain ORM queries (one
  `filter().count()` or `values().annotate(Count())` per org, month, band or skill, as a first version
  would do it); both must agree, the fastest of `--repeat` runs is shown.

The load average is printed at the start and the end: the machine is shared; compare figures only from
quiet runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import pct  # noqa: E402 - after the path is set

PANELS = (
    "volunteering-targets",
    "volunteering-hours",
    "volunteering-ages",
    "volunteering-skills",
    "volunteering-teams",
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


# --- the data ---------------------------------------------------------------------------------------

SQL_VOLUNTEERS = """
INSERT INTO volunteering_volunteer (retiree_id, skills, specialities, availability, service_areas, insurance,
    insurance_expires, returning_talent, home_village, credited_hours, honour_hours, stars, is_active, registered_at)
SELECT r.id,
       '|' || (ARRAY['policy','governance','mediation','care','culture','medical','legal','education','tech','other'])
              [1 + r.id % 10] || '|' || (ARRAY['care','culture','policy'])[1 + r.id % 3] || '|',
       '', '', '', CASE WHEN r.id % 3 = 0 THEN 'none' ELSE 'insured' END,
       CASE WHEN r.id % 3 = 0 THEN NULL ELSE CURRENT_DATE + (r.id % 400 - 30)::int END,
       r.id % 40 = 0, CASE WHEN r.id % 40 = 0 THEN '梅家坞村' ELSE '' END, 0, 0, 0, TRUE, now()
FROM registry_retiree r WHERE NOT r.is_deleted AND r.status = 'active' AND r.id % __EVERY__ = 0
"""
SQL_TEAMS = """
INSERT INTO volunteering_team (org_id, parent_id, name, kind, description, is_deleted, created_at)
SELECT o.id, NULL, o.name || '志愿服务队',
       (ARRAY['general','specialist','party','community','culture','wulao'])[1 + o.id % 6], '', FALSE, now()
FROM orgs_org o WHERE o.kind IN ('unit', 'station', 'county_bureau')
"""
SQL_ACTIVITIES = """
INSERT INTO volunteering_activity (org_id, team_id, title, kind, description, place, start, "end", capacity, open_to,
    walk_in, checkin_opens_minutes, code_secret, signed_up, is_cancelled, is_deleted, created_at)
SELECT t.org_id, t.id, '社区志愿服务', 'service', '', '社区服务中心', s.start, s.start + interval '3 hours', 40, 'team',
       FALSE, 30, md5(t.id::text || '-' || n::text), 0, FALSE, FALSE, now()
FROM volunteering_team t
CROSS JOIN generate_series(1, 24) AS n
CROSS JOIN LATERAL (SELECT date_trunc('day', now()) - (n * 15 || ' days')::interval + interval '1 hour'
                    AS start) AS s
"""
# About ten of a team's 24 activities a volunteer (the team at their own org), each a stay of 1–3 hours.
SQL_ATTENDANCE = """
INSERT INTO volunteering_attendance (activity_id, volunteer_id, checked_in_at, checked_out_at, device, auto_closed,
    review, credited_hours)
SELECT a.id, v.id, a.start, a.start + ((1 + (a.id + v.id) % 3) || ' hours')::interval, '', FALSE,
       CASE WHEN (a.id + v.id) % 97 = 0 THEN 'pending' ELSE '' END, 1 + (a.id + v.id) % 3
FROM volunteering_volunteer v
JOIN registry_retiree r ON r.id = v.retiree_id
JOIN volunteering_team t ON t.org_id = r.org_id
JOIN volunteering_activity a ON a.team_id = t.id
WHERE (a.id + v.id) % 12 < 5
"""
SQL_TOTALS = """
UPDATE volunteering_volunteer v SET credited_hours = s.h,
       stars = CASE WHEN s.h >= 1500 THEN 5 WHEN s.h >= 1000 THEN 4 WHEN s.h >= 600 THEN 3 WHEN s.h >= 300 THEN 2
                    WHEN s.h >= 100 THEN 1 ELSE 0 END
FROM (SELECT volunteer_id, sum(credited_hours) AS h FROM volunteering_attendance
      WHERE review IN ('', 'confirmed') GROUP BY volunteer_id) s
WHERE s.volunteer_id = v.id
"""
# The hours above are about 20 a year; a tenth of the volunteers have years of service behind them.
SQL_VETERANS = "UPDATE volunteering_attendance SET credited_hours = credited_hours * 8 WHERE volunteer_id % 10 = 0"
SQL_TARGETS = """
INSERT INTO volunteering_target (org_id, year, top_teams, stories, star_volunteers, volunteers)
SELECT o.id, extract(year FROM now())::int, CASE WHEN o.parent_id IS NULL THEN 10 ELSE 1 END,
       CASE WHEN o.parent_id IS NULL THEN 100 ELSE 9 END, CASE WHEN o.parent_id IS NULL THEN 1000 ELSE 90 END,
       CASE WHEN o.parent_id IS NULL THEN 200000 ELSE 18000 END
FROM orgs_org o WHERE o.kind IN ('province_bureau', 'city_bureau')
"""


def build(args: argparse.Namespace, url: str) -> None:
    import psycopg

    if args.reuse and count(url, "registry_retiree"):
        # A larger registry (the cockpit's 1,000,000): every k-th living person volunteers, about --volunteers.
        every = max(1, count(url, "registry_retiree") // args.volunteers)
        print(f"reusing the registry already there: every {every}. person volunteers")
        return volunteering_rows(url, every)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yinling.settings"}
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{args.db}"')  # type: ignore[arg-type]
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    print(f"migrated in {time.perf_counter() - start:.0f} s")
    script = (
        "from yinling.orgs.demo import seed_org_tree\n"
        "from yinling.accounts.demo import seed_accounts\n"
        "from yinling.registry import demo\n"
        "seed_org_tree({}, lambda m: None); seed_accounts({}, lambda m: None)\n"
        f"n = {args.volunteers}\n"
        "demo._generate_in_parallel(0, n) if n >= demo.PARALLEL_FROM else [x for x in demo.generate(0, n)]\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)
    print(f"org tree, accounts and {args.volunteers:,} retirees in {time.perf_counter() - start:.0f} s")
    volunteering_rows(url)


def volunteering_rows(url: str, every: int = 1) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for label, sql in (
            ("volunteers", SQL_VOLUNTEERS),
            ("teams", SQL_TEAMS),
            ("activities", SQL_ACTIVITIES),
            ("check-ins", SQL_ATTENDANCE),
            ("veterans", SQL_VETERANS),
            ("totals and stars", SQL_TOTALS),
            ("targets", SQL_TARGETS),
        ):
            start = time.perf_counter()
            rows = conn.execute(sql.replace("__EVERY__", str(every))).rowcount  # type: ignore[arg-type]
            print(f"{label:<18}{rows:>12,} rows in {time.perf_counter() - start:6.1f} s")
        conn.execute("VACUUM ANALYZE")


def count(url: str, table: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


# --- the same figures by plain ORM queries ----------------------------------------------------------


def plain_orm(panel_id: str, user: Any, org: Any) -> list[list[float]]:
    import datetime as dt

    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractYear
    from django.utils import timezone

    from yinling.orgs.models import Org
    from yinling.volunteering import panels as vp
    from yinling.volunteering.models import Attendance, Skill, Target, Team, Volunteer

    people = Volunteer.objects.restrict(user, "view").filter(
        is_active=True, retiree__is_deleted=False, retiree__org__path__under=org.path
    )
    if panel_id == "volunteering-targets":
        children = list(Org.objects.restrict(user, None).filter(parent=org).order_by("code"))
        year = timezone.localdate().year
        out: list[list[float]] = [[], [], [], []]
        # The org's own people (the row "X itself") first, when it has any or has no children; its own
        # target is for its whole area and shows on its parent's board, so 0 here unless it is alone.
        rows = [(child, people.filter(retiree__org__path__under=child.path)) for child in children]
        itself = people.filter(retiree__org_id=org.pk)
        if itself.exists() or not children:
            rows.insert(0, (None if children else org, itself))
        for child, mine in rows:
            target = Target.objects.restrict(user, None).filter(org=child, year=year).first() if child else None
            out[0].append(mine.count())
            out[1].append(target.volunteers if target else 0)
            out[2].append(mine.filter(stars__gte=1).count())
            out[3].append(target.star_volunteers if target else 0)
        return out
    if panel_id == "volunteering-hours":
        months = vp.month_starts(timezone.localdate())
        tz = timezone.get_current_timezone()
        base = Attendance.objects.restrict(user, None, perm=vp.PERM).filter(
            review__in=["", "confirmed"], activity__org__path__under=org.path
        )
        hours: list[float] = []
        served: list[float] = []
        for i, m in enumerate(months):
            end = months[i + 1] if i + 1 < len(months) else dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
            span = base.filter(
                activity__start__gte=dt.datetime.combine(m, dt.time.min, tz),
                activity__start__lt=dt.datetime.combine(end, dt.time.min, tz),
            )
            hours.append(float(span.aggregate(h=Sum("credited_hours"))["h"] or 0))
            served.append(float(span.count()))
        return [hours, served]
    if panel_id == "volunteering-ages":
        year = timezone.localdate().year
        bands = [vp.BAND_FROM - vp.BAND, *range(vp.BAND_FROM, vp.BAND_TO + 1, vp.BAND)]
        counts = [0] * len(bands)
        for row in people.annotate(b=ExtractYear("retiree__birth_date")).values("b").annotate(n=Count("id")):
            age = year - row["b"]
            counts[0 if age < vp.BAND_FROM else min((age - vp.BAND_FROM) // vp.BAND + 1, len(bands) - 1)] += row["n"]
        return [list(map(float, counts))]
    if panel_id == "volunteering-skills":
        return [[people.filter(skills__contains=f"|{code}|").count() for code in Skill.values]]
    if panel_id == "volunteering-teams":
        got = {
            r["kind"]: r["n"]
            for r in Team.objects.restrict(user, "view", perm=vp.PERM)
            .filter(org__path__under=org.path)
            .values("kind")
            .annotate(n=Count("id"))
        }
        return [[got.get(k, 0) for k in Team.Kind.values]]
    raise KeyError(panel_id)


# --- the run ---------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from yinling.core.panels import cockpit_org, get_panel

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM volunteering_volunteer")
        volunteers = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM volunteering_attendance")
        checkins = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM volunteering_activity")
        activities = cur.fetchone()[0]
    print(
        f"volunteers {volunteers:,}, activities {activities:,}, check-ins {checkins:,}; "
        f"cache: {cache.__class__.__name__}"
    )
    # As the cron does every 10 minutes: hours by month read this summary.
    from yinling.volunteering.services.summary import refresh_hours_summary

    began = time.perf_counter()
    rows = refresh_hours_summary()
    print(f"volunteer hours summary rebuilt: {rows:,} org-months in {ms(time.perf_counter() - began)} ms")
    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    org = cockpit_org(user, None)
    print(f"as {args.user} at {org.code} {org.name}")
    client.get("/")  # connection, templates and translations loaded once, as in a running server
    cache.clear()
    first = []
    for panel_id in PANELS:
        seconds, response = timed(client.get, f"/cockpit/panels/{panel_id}/?org={org.code}")
        assert response.status_code == 200, (panel_id, response.status_code)
        first.append(seconds)
    each = ", ".join(ms(x).strip() for x in first)
    print(f"cold cache: the five panels' first JSON {ms(sum(first))} ms in all ({each})")
    warm: list[float] = []
    for _i in range(args.warm):
        for panel_id in PANELS:
            warm.append(timed(client.get, f"/cockpit/panels/{panel_id}/?org={org.code}")[0])
    print(f"warm panel JSON ({len(warm)}x): p50 {ms(pct(warm, 50))}  p95 {ms(pct(warm, 95))}  max {ms(max(warm))} ms")
    board = [sum(warm[i : i + len(PANELS)]) for i in range(0, len(warm), len(PANELS))]
    print(f"warm province board (all five): p50 {ms(statistics.median(board))}  p95 {ms(pct(board, 95))} ms")

    failures = 0
    print(f"\n{'panel (cold, no cache)':<24}{'ours ms':>10}{'SQL':>5}{'plain ORM ms':>14}{'SQL':>5}  same figures")
    with translation.override("zh-hans"):
        for panel_id in PANELS:
            panel = get_panel(panel_id)
            ours_t, plain_t = [], []
            for _i in range(args.repeat):
                cache.clear()  # each run cold: the board's shared pass over the volunteers is kept a minute
                with CaptureQueriesContext(connection) as q1:
                    t1, data = timed(panel.data, user, org)
                with CaptureQueriesContext(connection) as q2:
                    t2, plain = timed(plain_orm, panel_id, user, org)
                ours_t.append(t1)
                plain_t.append(t2)
            same = [list(map(float, s.values)) for s in data.series] == [list(map(float, v)) for v in plain]
            failures += not same
            print(
                f"{panel_id:<24}{ms(min(ours_t)):>10}{len(q1):>5}{ms(min(plain_t)):>14}{len(q2):>5}  "
                f"{'yes' if same else 'NO'}"
            )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="yinling_bench_vol")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9", help="the cache ('' for local memory)")
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep what the database holds: time it, or add the volunteers to its registry",
    )
    parser.add_argument("--user", default="zhejiang")
    parser.add_argument("--warm", type=int, default=40, help="warm rounds of the five panels")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs of each panel function (fastest shown)")
    args = parser.parse_args()
    url = f"{args.server}/{args.db}"
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    if not (args.reuse and count(url, "volunteering_volunteer")):
        build(args, url)
    os.environ["DEBUG"] = "1"  # the development keys under var/ (synthetic data); bench_settings turns DEBUG off
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = args.redis
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    import django

    django.setup()
    code = run(args)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return code


if __name__ == "__main__":
    sys.exit(main())

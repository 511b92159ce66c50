"""The cockpit at 1,000,000 retirees on PostgreSQL (issue #11): first view cold, warm p95, and plain ORM beside it.

    .venv/bin/python benchmarks/seed_1m.py --db yinling_bench_cockpit --keep     # once (about 5–10 minutes)
    .venv/bin/python benchmarks/cockpit.py --db yinling_bench_cockpit            # Redis DB 13 for the cache

As the demo users `zhejiang` (bureau admin at 330000: the whole million), `hangzhou` (330100) and `xihu`
(clerk at 330106), through Django's test Client in this process (the page rendered, the session and
middleware included; no network):

- cold: the cache emptied, then the staff home `/` once: every panel computed (the first view);
  repeated `--cold` times, each after emptying the cache;
- warm: `/` and then each panel's JSON endpoint, `--warm` times each, from the cache: p50, p95, max;
- per panel, cold: the panel's own function (our aggregate queries) against the same figures computed
  by plain ORM `values(...).annotate(Count(...))` queries, one query per series or per org / library /
  band as a Django team would first write them; the two must agree, and both are timed in the same run.

The load average is printed at the start and the end: this machine is shared; read figures only from
runs that stayed quiet. The time bank's demo ledger is small (a few members per county) at any size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import pct  # noqa: E402 - after the path is set

USERS = ("zhejiang", "hangzhou", "xihu")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


# --- the same figures by plain ORM annotate(Count) queries -----------------------------------------


def plain_orm(panel_id: str, user: Any, org: Any) -> list[list[float]]:
    """The panel's series, one values().annotate(Count()) query per series / org / library / band."""
    from django.db.models import Count, Q, Sum
    from django.db.models.functions import ExtractYear, TruncMonth
    from django.utils import timezone

    from yinling.orgs.models import Org
    from yinling.registry import choices
    from yinling.registry import panels as rp
    from yinling.registry.models import Library, Retiree
    from yinling.timebank import panels as tp
    from yinling.timebank.models import Account, ServiceRequest, Transfer

    people = Retiree.objects.restrict(user, "view").filter(org__path__under=org.path)
    active = people.filter(status="active")
    if panel_id == "registry-category":
        out = []
        for cat in choices.Category.values:
            got = {r["status"]: r["n"] for r in people.filter(category=cat).values("status").annotate(n=Count("id"))}
            out.append([got.get(s, 0) for s in choices.Status.values])
        return out
    if panel_id == "registry-age":
        year = timezone.localdate().year
        out = []
        for gender in choices.Gender.values:
            bands = [0] * 11
            rows = (
                active.filter(gender=gender).annotate(b=ExtractYear("birth_date")).values("b").annotate(n=Count("id"))
            )
            for r in rows:
                age = year - r["b"]
                bands[0 if age < 55 else min((age - 55) // 5 + 1, 10)] += r["n"]
            out.append(bands)
        return out
    if panel_id == "registry-orgs":
        children = list(Org.objects.restrict(user, None).filter(parent=org).order_by("code"))
        itself = {r["category"]: r["n"] for r in active.filter(org=org).values("category").annotate(n=Count("id"))}
        cols: list[dict[str, int]] = [itself] if itself else []
        for child in children:
            sub = active.filter(org__path__under=child.path).values("category").annotate(n=Count("id"))
            cols.append({r["category"]: r["n"] for r in sub})
        return [[c.get(cat, 0) for c in cols] for cat in choices.Category.values]
    if panel_id == "registry-libraries":
        flags_in_builtins = {b.filters.get("special_flag") for b in rp.BUILTIN}
        values = []
        for b in rp.BUILTIN:
            values.append(rp.members(user, b.filters).filter(org__path__under=org.path).count())
        for code in choices.SpecialFlag.values:
            if code not in flags_in_builtins:
                values.append(active.filter(tags__contains=f"|flag:{code}|").count())
        for lib in Library.objects.restrict(user, "view").order_by("name")[: rp.SAVED_LIBRARIES_SHOWN]:
            values.append(rp.members(user, lib.filters).filter(org__path__under=org.path).count())
        return [values]
    if panel_id == "registry-health":
        out = []
        for health in [*choices.Health.values, ""]:
            got = {r["living"]: r["n"] for r in active.filter(health=health).values("living").annotate(n=Count("id"))}
            out.append([got.get(code, 0) for code in [*choices.Living.values, ""]])
        return out
    if panel_id == "timebank-hours":
        months = tp.month_starts(timezone.localdate())
        since = timezone.make_aware(timezone.datetime.combine(months[0], timezone.datetime.min.time()))
        out = []
        for kind in (Transfer.Kind.SERVICE, Transfer.Kind.GRANT):
            rows = (
                Transfer.objects.restrict(user, "view")
                .filter(to_account__org__path__under=org.path, kind=kind, created_at__gte=since)
                .annotate(m=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
                .values("m")
                .annotate(h=Sum("amount"))
            )
            got = {tp._as_date(r["m"]): float(r["h"]) for r in rows}
            out.append([got.get(m, 0.0) for m in months])
        return out
    if panel_id == "timebank-needs":
        out = []
        for status in tp.WAITING:
            rows = (
                ServiceRequest.objects.restrict(user, "view")
                .filter(org__path__under=org.path, status=status)
                .values("category")
                .annotate(n=Count("id"))
            )
            got = {r["category"]: r["n"] for r in rows}
            out.append([got.get(c, 0) for c in ServiceRequest.Category.values])
        return out
    if panel_id == "timebank-balances":
        accounts = Account.objects.restrict(user, "view").filter(kind="member", org__path__under=org.path)
        values = []
        for lo, hi in tp.BANDS:
            q = Q(balance__gte=lo) & (Q(balance__lt=hi) if hi is not None else Q())
            values.append([*accounts.filter(q).values("kind").annotate(n=Count("id")), {"n": 0}][0])
        return [[v["n"] for v in values]]
    if panel_id.startswith("volunteering-"):  # the board's own plain versions (benchmarks/volunteer_board.py)
        from benchmarks.volunteer_board import plain_orm as board_plain_orm

        return board_plain_orm(panel_id, user, org)
    raise KeyError(panel_id)


# --- the run ---------------------------------------------------------------------------------------


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from yinling.core.panels import cockpit_org, panels_for

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_retiree")
        print(f"retirees: {cur.fetchone()[0]:,}; cache: {cache.__class__.__name__}")
    # As the cron does every 10 minutes: the board's hours by month read this summary (--no-summary: the
    # panel sums the check-ins itself, as on a new install).
    from yinling.volunteering.models import HoursByMonth
    from yinling.volunteering.services.summary import refresh_hours_summary

    if args.no_summary:
        HoursByMonth.objects.unrestricted().all().delete()
        print("volunteer hours summary: none (the panel sums the check-ins)")
    else:
        began = time.perf_counter()
        rows = refresh_hours_summary()
        print(f"volunteer hours summary rebuilt: {rows:,} org-months in {ms(time.perf_counter() - began)} ms")
    failures = 0
    for username in args.users:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        org = cockpit_org(user, None)
        panels = panels_for(user)
        print(f"\n== {username} at {org.code} {org.name}: {len(panels)} panels")
        client.get("/")  # connection, templates and translations loaded once, as in a running server

        cold = []
        for _i in range(args.cold):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                seconds, response = timed(client.get, "/")
            assert response.status_code == 200, response.status_code
            cold.append(seconds)
        print(
            f"first view, cold cache ({args.cold}x): min {ms(min(cold))} ms, median {ms(statistics.median(cold))} ms, "
            f"{len(queries)} SQL queries"
        )
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        warm_sql = len(queries)
        warm = [timed(client.get, "/")[0] for _i in range(args.warm)]
        print(
            f"page, warm ({args.warm}x):            p50 {ms(pct(warm, 50))}  p95 {ms(pct(warm, 95))}  "
            f"max {ms(max(warm))} ms, {warm_sql} SQL"
        )
        json_times = []
        for panel in panels:
            url = f"/cockpit/panels/{panel.id}/?org={org.code}"
            json_times += [timed(client.get, url)[0] for _i in range(max(1, args.warm // 4))]
        print(
            f"panel JSON, warm ({len(json_times)}x):   p50 {ms(pct(json_times, 50))}  p95 {ms(pct(json_times, 95))}  "
            f"max {ms(max(json_times))} ms"
        )

        print(f"{'panel':<22}{'ours ms':>10}{'SQL':>5}{'plain ORM ms':>14}{'SQL':>5}  same figures")
        total_ours = total_plain = 0.0
        with translation.override("zh-hans"):
            for panel in panels:
                ours_t, plain_t = [], []
                for _i in range(args.repeat):
                    cache.clear()  # each run cold: the board's shared pass over the volunteers is kept a minute
                    with CaptureQueriesContext(connection) as q1:
                        t1, data = timed(panel.data, user, org)
                    with CaptureQueriesContext(connection) as q2:
                        t2, plain = timed(plain_orm, panel.id, user, org)
                    ours_t.append(t1)
                    plain_t.append(t2)
                same = [list(map(float, s.values)) for s in data.series] == [list(map(float, v)) for v in plain]
                failures += not same
                total_ours += min(ours_t)
                total_plain += min(plain_t)
                print(
                    f"{panel.id:<22}{ms(min(ours_t)):>10}{len(q1):>5}{ms(min(plain_t)):>14}{len(q2):>5}  "
                    f"{'yes' if same else 'NO'}"
                )
        print(f"{'all panels':<22}{ms(total_ours):>10}{'':>5}{ms(total_plain):>14}")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="yinling_bench_cockpit")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="the cache ('' for local memory)")
    parser.add_argument("--users", nargs="+", default=list(USERS))
    parser.add_argument("--no-summary", action="store_true", help="drop the volunteer hours summary first")
    parser.add_argument("--cold", type=int, default=3, help="cold first views per user")
    parser.add_argument("--warm", type=int, default=40, help="warm page views per user")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each panel function (the fastest is shown)")
    args = parser.parse_args()
    os.environ["DEBUG"] = "1"  # the development keys under var/ (synthetic data); bench_settings turns DEBUG off
    os.environ["DATABASE_URL"] = f"{args.server}/{args.db}"
    os.environ["REDIS_URL"] = args.redis
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    import django

    django.setup()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

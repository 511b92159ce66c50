"""Care's due list and the province's overdue-visit report at 1,000,000 retirees on PostgreSQL (issue #14:
a worker's due list under 100 ms at p95; the province's overdue report under 2 s cold).

    .venv/bin/python benchmarks/care_due.py                        # build yinling_bench_care (1M), time, keep it
    .venv/bin/python benchmarks/care_due.py --reuse                # time an existing database again
    .venv/bin/python benchmarks/care_due.py --retirees 200000      # a smaller run on a busy machine

Builds its own database: the demo org tree and accounts, `--retirees` registry retirees (the registry's demo
generator), a clerk at every county (`care_<code>`) responsible for that county's people, and a care plan for
every retiree written with one INSERT … SELECT: risk by id (10 % high, 30 % key, the rest normal), a last visit
spread over the past four months and the next dates as the visit service would store them (`next_due_on` the
least of them), so about a fifth of the visits are overdue.

Then, through the product's own selectors:

- a worker's due list (`selectors.due_list(worker, mine=True)`: everything due within the horizon for the
  people they are responsible for, overdue first) for `--workers` different county clerks: p50, p95, max;
- the same list for everyone in a county clerk's scope (`mine=False`);
- the province's overdue-visit report (`selectors.overdue_by_org(zhejiang, province)`, the cockpit panel's
  query): the first run after connecting (cold for the session; the OS cache is not dropped), then p50/p95.

The load average is printed: the machine is shared, compare figures only from quiet runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import ms, pct  # noqa: E402 - after the path is set

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def build(url: str, server: str, name: str, retirees: int, reuse: bool) -> None:
    import psycopg

    from benchmarks._common import setup_django

    exists = False
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM care_careplan")
        if reuse and exists and cur.fetchone()[0] > 0:
            print(f"reusing {name}")
            return
    from yinling.core.demo import SEEDERS

    t0 = time.perf_counter()
    for seeder in SEEDERS:
        if seeder.name in ("orgs", "accounts", "registry"):
            seeder.run({"retirees": retirees, "quiet": True}, lambda line: None)
    t1 = time.perf_counter()
    print(f"seeded {retirees:,} retirees in {t1 - t0:.1f} s")
    workers = make_workers()
    plans(workers)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"care plans written and analysed in {time.perf_counter() - t1:.1f} s")


def make_workers() -> dict[int, int]:
    """A clerk at every county, responsible for the people under it: {org id: user id}."""
    from yinling.accounts import roles
    from yinling.accounts.models import RoleAssignment, User
    from yinling.orgs.models import Org

    counties = list(Org.objects.unrestricted().filter(kind=Org.Kind.COUNTY_BUREAU))
    by_path: dict[str, int] = {}
    for county in counties:
        user, _ = User.objects.get_or_create(
            username=f"care_{county.code}", defaults={"full_name": f"{county.name}走访员", "org": county}
        )
        RoleAssignment.objects.get_or_create(user=user, role=roles.CLERK, org=county)
        by_path[county.path] = user.pk
    out: dict[int, int] = {}
    for org_id, path in Org.objects.unrestricted().values_list("pk", "path"):
        for county_path, user_id in by_path.items():
            if path.startswith(county_path):
                out[org_id] = user_id
    return out


def plans(workers: dict[int, int]) -> None:
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM care_careplan")
        cur.execute("CREATE TEMP TABLE bench_worker (org_id bigint PRIMARY KEY, user_id bigint)")
        cur.executemany("INSERT INTO bench_worker VALUES (%s, %s)", list(workers.items()))
        cur.execute(
            """
            INSERT INTO care_careplan (retiree_id, org_id, risk, risk_reasons, worker_id, started_on,
                last_visit_on, last_call_on, last_talk_on, next_visit_on, next_call_on, next_talk_on,
                event_due_at, milestone_on, milestone_done, next_due_on, version, updated_at)
            SELECT id, org_id, risk, '', user_id, %(today)s - 365, last_visit, last_visit, talk,
                   last_visit + gap, last_visit + 30, talk + 182, NULL, NULL, 0,
                   LEAST(last_visit + gap, last_visit + 30, talk + 182), 1, now()
            FROM (
                SELECT r.id, r.org_id, w.user_id,
                       CASE WHEN r.id %% 10 = 0 THEN 'high' WHEN r.id %% 10 < 4 THEN 'key' ELSE 'normal' END AS risk,
                       CASE WHEN r.id %% 10 = 0 THEN 7 WHEN r.id %% 10 < 4 THEN 30 ELSE 91 END AS gap,
                       %(today)s - ((r.id * 7) %% 120)::int AS last_visit,
                       %(today)s - ((r.id * 13) %% 180)::int AS talk
                FROM registry_retiree r LEFT JOIN bench_worker w ON w.org_id = r.org_id
                WHERE r.status = 'active' AND NOT r.is_deleted
            ) s
            """,
            {"today": today},
        )
        print(f"care plans: {cur.rowcount:,}")


def run(workers_n: int, repeat: int) -> None:
    from django.db import connection

    from yinling.accounts.models import User
    from yinling.care.models import CarePlan
    from yinling.care.services import selectors
    from yinling.orgs.models import Org

    clerks = list(User.objects.unrestricted().filter(username__startswith="care_").order_by("username"))[:workers_n]
    connection.close()
    mine: list[float] = []
    sizes: list[int] = []
    for user in clerks:
        start = time.perf_counter()
        items = selectors.due_list(user, mine=True)
        mine.append(time.perf_counter() - start)
        sizes.append(len(items))
    print(
        f"worker's due list (mine)  p50 {ms(pct(mine, 50))}  p95 {ms(pct(mine, 95))}  max {ms(max(mine))}"
        f"  ({len(clerks)} workers, {statistics.mean(sizes):.0f} items each, at most 100 plans)"
    )
    scope: list[float] = []
    for user in clerks[:20]:
        start = time.perf_counter()
        selectors.due_list(user, mine=False)
        scope.append(time.perf_counter() - start)
    print(f"county's due list (all)   p50 {ms(pct(scope, 50))}  p95 {ms(pct(scope, 95))}  max {ms(max(scope))}")
    admin = User.objects.get(username="zhejiang")
    province = Org.objects.unrestricted().get(code="330000")
    connection.close()
    start = time.perf_counter()
    rows = selectors.overdue_by_org(admin, province)
    cold = time.perf_counter() - start
    report: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        selectors.overdue_by_org(admin, province)
        report.append(time.perf_counter() - start)
    total = CarePlan.objects.unrestricted().count()
    overdue = sum(r[2] for r in rows)
    print(
        f"province overdue report   cold {ms(cold)}  p50 {ms(pct(report, 50))}  p95 {ms(pct(report, 95))}"
        f"  ({total:,} plans, {overdue:,} overdue, {len(rows)} cities)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--retirees", type=int, default=1_000_000)
    parser.add_argument("--db", default="yinling_bench_care")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it holds the plans")
    parser.add_argument("--workers", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min), {os.cpu_count()} cores")
    url = f"{args.server}/{args.db}"
    os.environ.setdefault("YINLING_SCOPE_GUARD", "0")
    build(url, args.server, args.db, args.retirees, args.reuse)
    run(args.workers, args.repeat)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; kept {args.db}: DATABASE_URL={url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

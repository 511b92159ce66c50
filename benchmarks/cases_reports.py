"""The province's on-time-case reports at 1,000,000 retirees on PostgreSQL (issue #14: under 2 s cold), and a
county clerk's queue.

    .venv/bin/python benchmarks/cases_reports.py                    # on yinling_bench_care (made if missing)
    .venv/bin/python benchmarks/cases_reports.py --db yinling_bench_cases --retirees 200000
    .venv/bin/python benchmarks/cases_reports.py --reuse            # keep the cases written by an earlier run

Uses the registry of `benchmarks/care_due.py`'s database when it exists (same demo tree and 1M people), else seeds
one with the product's seeders. Migrates, creates the built-in service items at the root (`builtin.load`, as
`manage.py load_service_items`), then writes `--share` of the people's cases with one INSERT … SELECT: an item
each (round robin over the built-in items, their current version), filed over the past year, about 60 % completed,
10 % rejected, 20 % in progress and 10 % returned, waiting at the person's county, closed ones on time but every
seventh. Then, through the product's own code:

- the cockpit's two on-time panels for the province admin (`cases.panels.by_item`, `by_org` at the province): the
  first call on a new connection ("cold": the OS cache is not dropped), then p50/p95 of `--repeat` calls;
- `policy.waiting_on(clerk)` (a county clerk's queue, as the desk's 待我处理 page reads it): p50/p95 over the
  counties' clerks.

The load average is printed before and after: the machine is shared, compare only quiet runs.
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


def prepare(url: str, server: str, name: str, retirees: int) -> None:
    import psycopg

    from benchmarks._common import setup_django

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yinling.registry.models import Retiree

    if Retiree.objects.unrestricted().count() >= retirees:
        return
    from yinling.core.demo import SEEDERS

    started = time.perf_counter()
    for seeder in SEEDERS:
        if seeder.name in ("orgs", "accounts", "registry"):
            seeder.run({"retirees": retirees, "quiet": True}, lambda line: None)
    print(f"seeded {retirees:,} retirees in {time.perf_counter() - started:.1f} s")


def write_cases(share: int) -> int:
    from django.db import connection

    from yinling.cases import builtin
    from yinling.cases.models import Case, ServiceItem
    from yinling.orgs.models import Org

    root = Org.objects.unrestricted().filter(parent__isnull=True).order_by("pk").first()
    assert root is not None
    builtin.load(root)
    items = list(ServiceItem.objects.unrestricted().filter(current__isnull=False).values_list("pk", "current_id"))
    empty = Case._meta.get_field("sensitive_value").get_db_prep_save("", connection)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE cases_caseevent, cases_caseattachment, cases_case CASCADE")
        cur.execute("CREATE TEMP TABLE bench_item (n int PRIMARY KEY, item_id bigint, version_id bigint)")
        cur.executemany("INSERT INTO bench_item VALUES (%s, %s, %s)", [(i, a, b) for i, (a, b) in enumerate(items)])
        # The county above each org: a case waits at its county (the built-in items' first steps are there).
        counties = dict(Org.objects.unrestricted().filter(kind=Org.Kind.COUNTY_BUREAU).values_list("path", "pk"))
        above = []
        for org_id, path in Org.objects.unrestricted().values_list("pk", "path"):
            county = next((pk for p, pk in counties.items() if path.startswith(p)), org_id)
            above.append((org_id, county))
        cur.execute("CREATE TEMP TABLE bench_county (org_id bigint PRIMARY KEY, county_id bigint)")
        cur.executemany("INSERT INTO bench_county VALUES (%s, %s)", above)
        cur.execute(
            """
            INSERT INTO cases_case (item_id, item_version_id, retiree_id, org_id, filed_by_id, on_behalf, status,
                step, step_org_id, due_on, data, sensitive_value, version, flagged_on, escalated, days_left,
                filed_at, closed_at, on_time)
            SELECT i.item_id, i.version_id, r.id, r.org_id, NULL, false, s.status, 0, c.county_id,
                   (s.filed + interval '21 days')::date, '{}'::jsonb, %(empty)s, 1, NULL, false, NULL,
                   s.filed, CASE WHEN s.closed THEN s.filed + interval '15 days' END,
                   CASE WHEN s.closed THEN s.k %% 7 <> 0 END
            FROM registry_retiree r
            CROSS JOIN LATERAL (SELECT r.id / %(share)s AS k) n
            CROSS JOIN LATERAL (
                SELECT n.k,
                       CASE WHEN n.k %% 10 < 6 THEN 'completed' WHEN n.k %% 10 = 6 THEN 'rejected'
                            WHEN n.k %% 10 < 9 THEN 'in_progress' ELSE 'returned' END AS status,
                       n.k %% 10 < 7 AS closed,
                       now() - ((n.k * 37) %% 365) * interval '1 day' AS filed
            ) s
            JOIN bench_item i ON i.n = s.k %% %(items)s
            JOIN bench_county c ON c.org_id = r.org_id
            WHERE r.id %% %(share)s = 0 AND NOT r.is_deleted
            """,
            {"empty": empty, "items": len(items), "share": share},
        )
        written = cur.rowcount
        cur.execute("ANALYZE cases_case")
    print(f"cases written: {written:,} in {time.perf_counter() - started:.1f} s ({len(items)} items)")
    return written


def run(repeat: int) -> None:
    from django.db import connection

    from yinling.accounts import roles
    from yinling.accounts.models import RoleAssignment, User
    from yinling.cases import panels, policy
    from yinling.cases.models import Case
    from yinling.orgs.models import Org

    admin = User.objects.get(username="zhejiang")
    province = Org.objects.unrestricted().get(code="330000")
    for name, report in (("by item", panels.by_item), ("by org", panels.by_org)):
        connection.close()
        started = time.perf_counter()
        data = report(admin, province)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            report(admin, province)
            warm.append(time.perf_counter() - started)
        closed = sum(data.series[1].values)
        print(
            f"province on-time report {name:7}  cold {ms(cold)}  p50 {ms(pct(warm, 50))}  p95 {ms(pct(warm, 95))}"
            f"  ({len(data.categories)} rows, {closed:,} closed cases)"
        )
    clerks = list(
        User.objects.unrestricted()
        .filter(
            pk__in=RoleAssignment.objects.unrestricted()
            .filter(role=roles.CLERK, org__kind=Org.Kind.COUNTY_BUREAU)
            .values("user_id")
        )
        .order_by("pk")[:40]
    )
    queue: list[float] = []
    sizes: list[int] = []
    for clerk in clerks:
        started = time.perf_counter()
        sizes.append(len(list(policy.waiting_on(clerk)[:50])))
        queue.append(time.perf_counter() - started)
    if queue:
        print(
            f"a county clerk's queue (first 50)  p50 {ms(pct(queue, 50))}  p95 {ms(pct(queue, 95))}  "
            f"max {ms(max(queue))}  ({len(clerks)} clerks, {statistics.mean(sizes):.0f} rows each)"
        )
    print(f"cases in the database: {Case.objects.unrestricted().count():,}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--retirees", type=int, default=1_000_000)
    parser.add_argument("--db", default="yinling_bench_care")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--share", type=int, default=5, help="one case for every SHARE people (default 5)")
    parser.add_argument("--reuse", action="store_true", help="keep the cases an earlier run wrote")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min), {os.cpu_count()} cores")
    os.environ.setdefault("YINLING_SCOPE_GUARD", "0")
    url = f"{args.server}/{args.db}"
    prepare(url, args.server, args.db, args.retirees)
    from yinling.cases.models import Case

    if not (args.reuse and Case.objects.unrestricted().exists()):
        write_cases(args.share)
    run(args.repeat)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; kept {args.db}: DATABASE_URL={url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

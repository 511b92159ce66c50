"""Time bank statement (issue #4): a member with 10,000 movements; the statement page renders in under 100 ms.

    DEBUG=1 .venv/bin/python benchmarks/timebank_statement.py [--movements 10000] [--renders 30] [--db postgres|sqlite]

A fresh database (created, and dropped afterwards unless --keep) with one member whose
account has --movements movements: grants from the pool and donations back, written in
bulk with their running balances (the services would take minutes to post them one by
one), then checked with verify(). The statement is rendered through the Django test
client, as the member sees it (/timebank/statement/) and as staff print it
(/timebank/members/<id>/statement/), first page, a middle page and the last page; each
--renders times after one warm-up. Prints p50/p95 in milliseconds and the queries per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fresh_database, setup_django

DB_NAME = "yinling_bench_statement"
H = Decimal


def build(movements: int) -> tuple[object, object, object]:
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from yinling.testing.personas import make_tree, make_user
    from yinling.timebank import services
    from yinling.timebank.models import Account, Movement, Rule, Transfer
    from yinling.timebank.tests.factories import person, sign_in_account

    tree = make_tree()
    admin = make_user("bench-admin", tree.city_a, "bureau_admin")
    Rule.objects.create(org=tree.city_a, balance_cap=H("1000000"))
    services.do_issue(by=admin, org=tree.city_a, hours=H("100000"), reason="压测发放", document_no="bench")
    member = person(tree.unit_a, age=72, name="赵秀英")
    account = services.do_join(by=admin, retiree=member)
    sign_in_account(member)
    pool = services.pool_for(tree.city_a)
    pool_balance, balance = pool.balance, H("0")
    with transaction.atomic():
        for lo in range(0, movements, 2000):
            batch = []
            for i in range(lo, min(lo + 2000, movements)):
                grant = i % 3 != 2 or balance < 1
                batch.append(
                    Transfer(
                        kind=Transfer.Kind.GRANT if grant else Transfer.Kind.DONATION,
                        from_account=pool if grant else account,
                        to_account=account if grant else pool,
                        amount=H("1") if grant else H("0.5"),
                        reason="月度补助" if grant else "捐赠给互助池",
                        created_by=admin,
                    )
                )
            Transfer.objects.bulk_create(batch)
            rows = []
            for t in batch:
                sign = 1 if t.to_account_id == account.pk else -1
                balance += sign * t.amount
                pool_balance -= sign * t.amount
                rows.append(Movement(transfer=t, account=account, amount=sign * t.amount, balance_after=balance))
                rows.append(Movement(transfer=t, account=pool, amount=-sign * t.amount, balance_after=pool_balance))
            Movement.objects.bulk_create(rows)
        Account.objects.filter(pk=account.pk).update(balance=balance)
        Account.objects.filter(pk=pool.pk).update(balance=pool_balance)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # as autovacuum would after a bulk load
    return admin, member, account


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movements", type=int, default=10_000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    url = fresh_database(args.db, DB_NAME)
    setup_django(url)
    started = time.perf_counter()
    admin, member, account = build(args.movements)
    built = time.perf_counter() - started

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yinling.testing.permissions import login_client
    from yinling.timebank.ledger import verify
    from yinling.timebank.models import Movement
    from yinling.timebank.views_shared import STATEMENT_PAGE

    drifts, total, unbalanced = verify()
    count = Movement.objects.filter(account=account).count()
    pages = -(-count // STATEMENT_PAGE)
    own = Client()
    own.force_login(member.account)  # type: ignore[attr-defined]
    staff = login_client(admin)
    targets = [
        ("member, first page", own, "/timebank/statement/"),
        ("member, last page", own, f"/timebank/statement/?page={pages}"),
        ("staff, first page", staff, f"/timebank/members/{member.pk}/statement/"),  # type: ignore[attr-defined]
        ("staff, middle page", staff, f"/timebank/members/{member.pk}/statement/?page={pages // 2}"),  # type: ignore[attr-defined]
    ]
    results = {}
    for label, client, path in targets:
        response = client.get(path, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(args.renders):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path, HTTP_HOST="127.0.0.1")
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        results[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
            "queries": len(queries.captured_queries),
            "bytes": len(response.content),
        }
    report = {
        "database": args.db,
        "movements": count,
        "rows_per_page": STATEMENT_PAGE,
        "pages": pages,
        "built_seconds": round(built, 1),
        "verify": {"drifts": len(drifts), "unbalanced": len(unbalanced), "global_sum": str(total)},
        "renders": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    worst = max(r["p95_ms"] for r in results.values())
    ok = worst < 100 and not drifts and not unbalanced and total == 0
    print(
        f"statement of {count} movements ({pages} pages of {STATEMENT_PAGE}): "
        + ", ".join(f"{k} p50 {v['p50_ms']} ms / p95 {v['p95_ms']} ms" for k, v in results.items())
        + ("; under 100 ms" if ok else "; OVER 100 ms or ledger problem")
    )
    connection.close()
    if not args.keep and args.db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Print-ready documents (issue #10): how long one PDF takes, through the page a user clicks.

    DEBUG=1 .venv/bin/python benchmarks/pdf_render.py [--movements 40 200 500] [--renders 10] [--db sqlite|postgres]

A fresh database (an SQLite file under var/bench by default; dropped afterwards on PostgreSQL unless
--keep) with one time bank member per --movements value, each with that many grants posted through the
services (a month of a busy member is some 40 lines, a year a few hundred; 500 is the most one PDF
statement holds), and one registry record with two family contacts. Each document is fetched through the
Django test client as a user gets it: the member's statement (/timebank/statement/pdf/), and the record
summary (/registry/<id>/pdf/) as a clerk (masked) and as a bureau admin who reveals. Each --renders times
after one warm-up (the first render in a process also loads fonts: reported apart). Prints, per document,
p50/p95 wall time and p50 CPU time in milliseconds, pages and bytes, and how much of it WeasyPrint took.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fresh_database, setup_django

DB_NAME = "yinling_bench_pdf"
H = Decimal


def build(movement_counts: list[int]) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yinling.accounts import roles
    from yinling.registry.models import FamilyContact
    from yinling.testing.personas import make_retiree_record, make_tree, make_user
    from yinling.timebank import services
    from yinling.timebank.models import Rule
    from yinling.timebank.tests.factories import person, sign_in_account

    tree = make_tree()
    admin = make_user("bench-admin", tree.city_a, roles.BUREAU_ADMIN)
    clerk = make_user("bench-clerk", tree.county_a, roles.CLERK)
    Rule.objects.create(org=tree.city_a, balance_cap=H("1000000"))
    services.do_issue(by=admin, org=tree.city_a, hours=H("100000"), reason="压测发放", document_no="bench")
    members = {}
    for n in movement_counts:
        member = person(tree.unit_a, age=86, name=f"赵秀英{n}")
        services.do_join(by=admin, retiree=member)
        for i in range(n):
            services.do_grant(by=admin, retiree=member, hours=H("1.5"), reason=f"第{i + 1}次上门陪护")
        sign_in_account(member)
        members[n] = member
    record = make_retiree_record(
        tree.county_a, "陈桂兰", "13712345678", 77, address="杭州市西湖区文三路 128 号", former_unit="杭州市财政局"
    )
    FamilyContact.objects.create(retiree=record, relation="儿子", name="陈明", phone="13600001111", is_emergency=True)
    FamilyContact.objects.create(retiree=record, relation="女儿", name="陈丽", phone="13600002222")
    return {"admin": admin, "clerk": clerk, "members": members, "record": record}


def measure(client: Any, path: str, renders: int) -> dict[str, Any]:
    from yinling.core import pdf
    from yinling.testing.pdf import read_pdf

    spent: list[float] = []
    original = pdf.render_pdf_bytes

    def timed(html: str) -> bytes:  # what WeasyPrint alone takes, inside the request
        start = time.perf_counter()
        try:
            return original(html)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    pdf.render_pdf_bytes = timed  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        response = client.get(path, HTTP_HOST="127.0.0.1")
        first = (time.perf_counter() - start) * 1000
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", (path, response)
        spent.clear()
        times, cpu = [], []
        for _ in range(renders):
            start, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, HTTP_HOST="127.0.0.1")
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    finally:
        pdf.render_pdf_bytes = original  # type: ignore[assignment]
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        # CPU time of this process: what a render costs whatever else the host runs (wall time is
        # that on an idle core; on a shared, loaded host it is larger).
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "first_ms": round(first, 1),
        "weasyprint_p50_ms": round(statistics.median(spent), 1),
        "pages": read_pdf(response.content).pages,
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movements", type=int, nargs="+", default=[40, 200, 500])
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="sqlite")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    url = fresh_database(args.db, DB_NAME)
    setup_django(url)
    started = time.perf_counter()
    world = build(args.movements)
    built = time.perf_counter() - started

    from django.db import connection
    from django.test import Client

    from yinling.core.pdf import pdf_available
    from yinling.testing.permissions import login_client

    if not pdf_available():
        print("WeasyPrint cannot load here (see docs/operations.md, 'Print and PDF'): nothing to measure")
        sys.exit(1)
    results: dict[str, Any] = {}
    for n, member in world["members"].items():
        own = Client()
        own.force_login(member.account)
        results[f"statement, {n} movements"] = measure(own, "/timebank/statement/pdf/", args.renders)
    record = world["record"]
    clerk = login_client(world["clerk"])
    results["summary, clerk (masked)"] = measure(clerk, f"/registry/{record.pk}/pdf/", args.renders)
    results["summary, bureau admin (revealed)"] = measure(
        login_client(world["admin"]), f"/registry/{record.pk}/pdf/?reveal=1", args.renders
    )
    print(
        json.dumps(
            {"database": args.db, "renders": args.renders, "built_seconds": round(built, 1), "documents": results},
            ensure_ascii=False,
            indent=2,
        )
    )
    for label, r in results.items():
        print(
            f"{label}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, CPU p50 {r['cpu_p50_ms']} ms "
            f"(WeasyPrint {r['weasyprint_p50_ms']} ms; first in process {r['first_ms']} ms), "
            f"{r['pages']} page(s), {r['bytes'] // 1024} KiB"
        )
    connection.close()
    if not args.keep and args.db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()

"""Time bank throughput (issue #4): transfers per second with 50 concurrent clients on the same accounts.

    DEBUG=1 .venv/bin/python benchmarks/timebank_transfers.py [--clients 50] [--processes 2] [--seconds 20]

On a fresh PostgreSQL database (created, and dropped afterwards unless --keep): one city pool
and a handful of members (six, in three recorded mother–daughter pairs). The clients, each a
thread with its own database connection, spread over a few processes (one Python process
cannot use both cores), post as fast as they can through the services, all on those seven
accounts, picking at random among (--mix; grants and donations by default):
  grant    pool → member          services.do_grant   (staff, from the pool serving the member)
  donation member → pool          services.do_donate
  gift     member → relative      services.do_gift    (a recorded relative)
Each is one transaction with its row locks, the two movements, the cached balances and an
audit record, sealed into the audit chain after commit. Refusals (an empty balance) are
counted, not retried.

Afterwards: verify() (no drift, no unbalanced transfer, global sum 0), the transfers and
hours per kind in the database equal what the clients saw succeed (none lost, none
duplicated), the audit chain verifies, and transfers/s with p50/p95 latency are printed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fresh_database, setup_django

DB_NAME = "yinling_bench_timebank"
H = Decimal


def prepare(url: str, members: int) -> dict[str, Any]:
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yinling.registry.models import FamilyContact
    from yinling.testing.personas import make_tree, make_user
    from yinling.timebank import services
    from yinling.timebank.models import Rule
    from yinling.timebank.tests.factories import person

    tree = make_tree()
    admin = make_user("bench-admin", tree.city_a, "bureau_admin")
    Rule.objects.create(org=tree.city_a, balance_cap=H("1000000"))
    services.do_issue(by=admin, org=tree.city_a, hours=H("1000000"), reason="压测发放", document_no="bench")
    people = [person(tree.unit_a, age=80 if i % 2 == 0 else 58) for i in range(members)]
    for mother, daughter in zip(people[0::2], people[1::2], strict=False):
        FamilyContact.objects.create(retiree=mother, relation="女儿", name=daughter.name, phone=daughter.phone)
    for p in people:
        services.do_grant(by=admin, retiree=p, hours=H("100"), reason="初始")
    return {"admin": admin.pk, "people": [p.pk for p in people]}


def client_process(
    url: str, setup: dict[str, Any], threads: int, seconds: float, seed: int, kinds: tuple[str, ...], out: Any
) -> None:
    setup_django(url)
    from django.conf import settings

    # DEBUG=1 only lets the script read the development keys under var/; served for real, the
    # app runs with DEBUG off, and Django then does not copy every query into connection.queries.
    settings.DEBUG = False
    from django.db import connections

    from yinling.accounts.models import User
    from yinling.registry.models import Retiree
    from yinling.timebank import services
    from yinling.timebank.ledger import Refused

    barrier = threading.Barrier(threads)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
        admin = User.objects.get(pk=setup["admin"])
        people = list(Retiree.objects.filter(pk__in=setup["people"]).select_related("org").order_by("pk"))
        mine: dict[str, Any] = {"ok": {}, "hours": {}, "refused": 0, "errors": [], "latencies": [], "backend": backend}
        barrier.wait()
        mine["backend_cpu_start"] = cpu_of(backend)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            op = rng.choice(kinds)
            member = rng.choice(people)
            amount = H(rng.choice(("0.5", "1", "1.5")))
            start = time.perf_counter()
            try:
                if op == "grant":
                    services.do_grant(by=admin, retiree=member, hours=amount, reason="压测")
                elif op == "donation":
                    services.do_donate(by=None, retiree=member, hours=amount)
                else:
                    i = people.index(member)
                    relative = people[i + 1] if i % 2 == 0 else people[i - 1]
                    services.do_gift(by=None, giver=member, to=relative, hours=amount)
            except Refused:
                mine["refused"] += 1
                continue
            except Exception as exc:
                mine["errors"].append(repr(exc))
                continue
            mine["latencies"].append(time.perf_counter() - start)
            mine["ok"][op] = mine["ok"].get(op, 0) + 1
            mine["hours"][op] = str(H(mine["hours"].get(op, "0")) + amount)
        mine["backend_cpu"] = cpu_of(backend) - mine["backend_cpu_start"]
        connections.close_all()
        with lock:
            results.append(mine)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    start_cpu = time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    results[0]["process_cpu"] = time.process_time() - start_cpu
    out.put(results)


def cpu_of(pid: int) -> float:
    """CPU seconds used so far by a process on this machine (a PostgreSQL backend), from /proc."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2, help="client processes (the clients are split among them)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--members", type=int, default=6)
    parser.add_argument(
        "--mix",
        default="grant,donation,gift",
        help="kinds of transfer the clients pick from at random (comma-separated)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--socket", action="store_true", help="connect through PostgreSQL's Unix socket instead of TCP on 127.0.0.1"
    )
    args = parser.parse_args()

    url = fresh_database("postgres", DB_NAME)
    if args.socket:
        url = f"postgres://postgres@%2Fvar%2Frun%2Fpostgresql/{DB_NAME}"
    setup = prepare(url, args.members)
    from django.db import connections

    from yinling.timebank.models import Transfer

    before = Transfer.objects.count()
    connections.close_all()

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    share = [
        args.clients // args.processes + (1 if i < args.clients % args.processes else 0) for i in range(args.processes)
    ]
    procs = [
        ctx.Process(target=client_process, args=(url, setup, n, args.seconds, i, tuple(args.mix.split(",")), out))
        for i, n in enumerate(share)
        if n
    ]
    load_before = Path("/proc/loadavg").read_text().split()[0]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [r for _p in procs for r in out.get()]
    for p in procs:
        p.join()
    wall = time.perf_counter() - started

    from django.db.models import Count, Sum

    from yinling.audit.services import verify_chain
    from yinling.timebank.ledger import verify

    ok: dict[str, int] = {}
    hours: dict[str, Decimal] = {}
    latencies: list[float] = []
    refused = 0
    errors: list[str] = []
    client_cpu = sum(r.get("process_cpu", 0.0) for r in results)
    backend_cpu = sum(r.get("backend_cpu", 0.0) for r in results)
    for r in results:
        for k, v in r["ok"].items():
            ok[k] = ok.get(k, 0) + v
        for k, v in r["hours"].items():
            hours[k] = hours.get(k, H("0")) + H(v)
        latencies += r["latencies"]
        refused += r["refused"]
        errors += r["errors"]
    posted = sum(ok.values())
    in_db = {
        row["kind"]: (row["n"], row["h"])
        for row in Transfer.objects.filter(pk__gt=before).values("kind").annotate(n=Count("id"), h=Sum("amount"))
    }
    overflow = in_db.pop("cap_overflow", (0, H("0")))
    drifts, total, unbalanced = verify()
    chain = verify_chain()
    measured = args.seconds
    latencies.sort()
    report = {
        "clients": args.clients,
        "mix": args.mix,
        "connection": "unix socket" if args.socket else "tcp 127.0.0.1",
        "processes": len(procs),
        "seconds": measured,
        "transfers": posted,
        "transfers_per_second": round(posted / measured, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2) if latencies else None,
        "refused": refused,
        # CPU per transfer, which other work on the machine does not change much: with both
        # cores to itself, the system could post at most about 2 / (clients + PostgreSQL).
        "cpu_ms_per_transfer": {
            "clients": round(client_cpu / max(posted, 1) * 1000, 2),
            "postgresql": round(backend_cpu / max(posted, 1) * 1000, 2),
            "ceiling_per_second_on_2_cores": round(2 / max((client_cpu + backend_cpu) / max(posted, 1), 1e-9)),
        },
        "load_average_before": load_before,
        "errors": len(errors),
        "by_kind_clients": {k: [ok[k], str(hours[k])] for k in sorted(ok)},
        "by_kind_database": {k: [n, str(h)] for k, (n, h) in sorted(in_db.items())},
        "cap_overflows": overflow[0],
        "verify": {"drifts": len(drifts), "unbalanced": len(unbalanced), "global_sum": str(total)},
        "audit_chain": {"checked": chain.checked, "ok": chain.ok},
        "wall_seconds": round(wall, 1),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    same = all(in_db.get(k, (0, 0)) == (ok[k], hours[k]) for k in ok) and set(in_db) <= set(ok)
    good = same and not drifts and not unbalanced and total == 0 and not errors and chain.ok
    print(
        f"{report['transfers_per_second']} transfers/s with {args.clients} clients, "
        f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms; "
        f"CPU/transfer {report['cpu_ms_per_transfer']['clients']} + {report['cpu_ms_per_transfer']['postgresql']} ms "
        f"(ceiling ~{report['cpu_ms_per_transfer']['ceiling_per_second_on_2_cores']}/s), load was {load_before}; "
        + ("no lost or duplicated hours, ledger verifies" if good else "PROBLEM: see above")
        + (f"; first error: {errors[0]}" if errors else "")
    )
    connections.close_all()
    if not args.keep:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()

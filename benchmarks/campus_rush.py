"""The first-come rush (issue #13): 200 concurrent clients send 10,000 enrolment requests for 50 sections of
30 seats, over HTTP to gunicorn on PostgreSQL; no seat sold twice, nobody over the limit, no 5xx.

    .venv/bin/python benchmarks/campus_rush.py                     # the issue's figures (fresh yinling_bench_rush)
    .venv/bin/python benchmarks/campus_rush.py --workers 4 --threads 8 --clients 200 --requests 10000   # the old setup
    .venv/bin/python benchmarks/campus_rush.py --reuse              # skip the migrate (tables emptied instead)

Set-up (this process, through the ORM): the database `yinling_bench_rush` dropped and made again and migrated,
one school with one site, one first-come term open now (limit 2 a person), 50 sections of 30 seats (half keep
a waitlist, half refuse with `full`; the sections share ten weekly times, five each, so some requests clash),
`--people` retirees aged 66 with accounts and a knox API token each. Then gunicorn (gthread workers, DEBUG
off, persistent connections: `benchmarks/bench_settings.py`) and `--clients` threads, each with its own
keep-alive HTTP connection, sending the requests back to back: request i is person i mod N asking for a
section drawn from a fixed-seed random (so each person asks about five times, as people refreshing in a rush).

Printed: decisions/s over the whole run, p50/p95/p99 latency, the status and answer counts; afterwards the
checks (taken == enrolled rows <= 30 in every section, nobody over 2 seats or 2 waitlists, no two enrolled
sections of one person at the same time, no 5xx), and beside them the pgbench floor: the same conditional
UPDATE with `pgbench -n -c C -j 2 -T 10` (C = --pg-clients, capped below the server's max_connections).
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import ROOT, fresh_database

DB = "yinling_bench_rush"
SECTIONS = 50
SEATS = 30
LIMIT = 2
LOG = ROOT / "var" / "bench" / "campus_rush_gunicorn.log"


def setup(url: str, people: int, reuse: bool) -> tuple[list[int], list[str], int]:
    """(section ids, one token a person, term id) on a database made for this run."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from knox.models import AuthToken

    if not reuse:
        call_command("migrate", verbosity=0)
    from yinling.accounts.models import User
    from yinling.campus.models import Course, School, Section, Site, Slot, Term
    from yinling.campus.services.draw import new_seed
    from yinling.orgs.models import Org
    from yinling.registry.demo import make_retiree
    from yinling.registry.models import Retiree

    with connection.cursor() as cur:  # --reuse: start from empty campus tables and no earlier bench people
        cur.execute(
            "TRUNCATE campus_enrolment, campus_termload, campus_slot, campus_section, campus_course, "
            "campus_lotterydraw, campus_term, campus_site, campus_school, audit_auditrecord, knox_authtoken CASCADE"
        )
    stamp = str(int(time.time()))[-6:]
    root = Org.objects.filter(parent=None).first() or Org.objects.create(
        code="BENCHROOT", name="压测省局", kind=Org.Kind.PROVINCE_BUREAU
    )
    org = Org.objects.create(code=f"RUSH{stamp}", name=f"压测老年大学{stamp}", kind=Org.Kind.COUNTY_BUREAU, parent=root)
    where = Org.objects.create(code=f"RUSH{stamp}S", name="压测教学点", kind=Org.Kind.STATION, parent=org)
    school = School.objects.create(org=org, name="压测老年大学")
    site = Site.objects.create(org=where, school=school, name="压测教学点")
    now = timezone.now()
    seed, digest = new_seed()
    today = timezone.localdate()
    term = Term.objects.create(
        school=school,
        name="压测学期",
        starts=today + dt.timedelta(days=30),
        ends=today + dt.timedelta(days=150),
        apply_from=now - dt.timedelta(hours=1),
        apply_until=now + dt.timedelta(days=1),
        mode=Term.Mode.FIRST_COME,
        limit=LIMIT,
        seed=seed,
        seed_sha256=digest,
    )
    course = Course.objects.create(school=school, name="书法", category="calligraphy")
    ids = []
    for i in range(SECTIONS):
        section = Section.objects.create(
            course=course,
            term=term,
            site=site,
            name=f"{i + 1}班",
            capacity=SEATS,
            waitlist=i % 2 == 0,
            fee=Decimal("100") if i % 3 == 0 else Decimal("0"),
        )
        # Ten weekly times, five sections each: a person holding one cannot take another at that time.
        hour = 8 + (i % 10) // 5 * 3
        Slot.objects.create(section=section, weekday=1 + (i % 10) % 5, start=dt.time(hour), end=dt.time(hour + 2))
        ids.append(section.pk)
    first = 800_000 + Retiree.objects.count()
    records = []
    for i in range(people):
        record, _contacts = make_retiree(first + i, org, "330106")
        record.birth_date = dt.date(today.year - 66, 3, 1)
        record.status, record.deceased_on, record.org = "active", None, org
        records.append(record)
    records = Retiree.objects.bulk_create(records, batch_size=1000)
    users = User.objects.bulk_create(
        [User(username=f"rush{stamp}{i:05d}", kind=User.Kind.RETIREE, org=org) for i in range(people)],
        batch_size=1000,
    )
    for record, user in zip(records, users, strict=True):
        record.account = user
    Retiree.objects.bulk_update(records, ["account"], batch_size=1000)
    tokens = [AuthToken.objects.create(user)[1] for user in users]
    return ids, tokens, term.pk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(url: str, port: int, workers: int, threads: int, app: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "gunicorn", app, "-w", str(workers), "--threads", str(threads)]
    command += ["-k", "gthread", "-b", f"127.0.0.1:{port}", "--keep-alive", "30", "--backlog", "2048"]
    command += ["--timeout", "120", "--log-level", "warning"]
    # The server's log (Django's "Conflict: …" warning for every 409, any traceback) goes to a file.
    LOG.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=LOG.open("wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def rush(port: int, ids: list[int], tokens: list[str], clients: int, total: int) -> tuple[float, list, list]:
    """Send the requests; (wall seconds, [(status, answer, seconds)], warm-up statuses)."""
    rng = random.Random(13)
    plan = [(tokens[i % len(tokens)], rng.choice(ids)) for i in range(total)]
    results: list[tuple[int, str, float]] = []
    lock = threading.Lock()
    cursor = iter(range(total))
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        # Warm-up: open the keep-alive connection and the worker's database connection (not timed).
        conn.request("GET", "/api/v1/campus/sections/?page_size=1", headers={"Authorization": f"Token {tokens[0]}"})
        conn.getresponse().read()
        ready.wait()
        mine = []
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            token, section = plan[i]
            sent = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    f"/api/v1/campus/sections/{section}/enroll/",
                    body=b"{}",
                    headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
                )
                answer = conn.getresponse()
                body = answer.read()
                code = answer.status
                try:
                    data = json.loads(body)
                    what = data.get("status") or data.get("error") or "?"
                except ValueError:
                    what = "not json"
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                code, what = 0, "network"
            mine.append((code, what, time.perf_counter() - sent))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    ready.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - began, results, []


def check(term_id: int) -> list[str]:
    from django.db import connection

    problems = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT s.id, s.taken, s.capacity, count(e.id) FILTER (WHERE e.status = 'enrolled') "
            "FROM campus_section s LEFT JOIN campus_enrolment e ON e.section_id = s.id "
            "WHERE s.term_id = %s GROUP BY s.id",
            [term_id],
        )
        sections = cur.fetchall()
        for pk, taken, capacity, enrolled in sections:
            if taken != enrolled or enrolled > capacity:
                problems.append(f"section {pk}: taken {taken}, enrolled rows {enrolled}, capacity {capacity}")
        cur.execute(
            "SELECT retiree_id, count(*) FILTER (WHERE status IN ('enrolled', 'offered')), "
            "count(*) FILTER (WHERE status = 'waitlisted') FROM campus_enrolment WHERE term_id = %s "
            "GROUP BY retiree_id HAVING count(*) FILTER (WHERE status IN ('enrolled', 'offered')) > %s "
            "OR count(*) FILTER (WHERE status = 'waitlisted') > %s",
            [term_id, LIMIT, LIMIT],
        )
        problems += [f"retiree {r}: {h} seats, {w} waitlists (limit {LIMIT})" for r, h, w in cur.fetchall()]
        cur.execute(
            "SELECT a.retiree_id, a.section_id, b.section_id FROM campus_enrolment a "
            "JOIN campus_enrolment b ON a.retiree_id = b.retiree_id AND a.section_id < b.section_id "
            "JOIN campus_slot x ON x.section_id = a.section_id JOIN campus_slot y ON y.section_id = b.section_id "
            "WHERE a.term_id = %s AND a.status = 'enrolled' AND b.status = 'enrolled' "
            "AND x.weekday = y.weekday AND x.start < y.end AND y.start < x.end",
            [term_id],
        )
        problems += [f"retiree {r}: sections {a} and {b} at the same time" for r, a, b in cur.fetchall()]
        cur.execute(
            "SELECT section_id, retiree_id, count(*) FROM campus_enrolment WHERE term_id = %s "
            "AND status IN ('enrolled', 'waitlisted', 'offered', 'applied') GROUP BY 1, 2 HAVING count(*) > 1",
            [term_id],
        )
        problems += [f"retiree {r} twice in section {s}" for s, r, _n in cur.fetchall()]
        cur.execute("SELECT sum(taken), sum(capacity) FROM campus_section WHERE term_id = %s", [term_id])
        taken, capacity = cur.fetchone()
        print(f"seats taken {taken} of {capacity}")
    return problems


def pgbench(url: str, ids: list[int], clients: int, seconds: int) -> str:
    """The floor: the same conditional UPDATE straight from pgbench (taken reset before, put back after)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id, taken FROM campus_section WHERE id = ANY(%s)", [ids])
        kept = cur.fetchall()
        cur.execute("UPDATE campus_section SET taken = 0 WHERE id = ANY(%s)", [ids])
    script = f"\\set id random({min(ids)}, {max(ids)})\nUPDATE campus_section SET taken = taken + 1 "
    script += "WHERE id = :id AND taken < capacity;\n"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [
                "pgbench",
                "-n",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-f",
                f.name,
                url.replace("postgres://", "postgresql://"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(f.name).unlink()
        with connection.cursor() as cur:
            for pk, taken in kept:
                cur.execute("UPDATE campus_section SET taken = %s WHERE id = %s", [taken, pk])
    lines = [line for line in out.stdout.splitlines() if "tps" in line or "latency average" in line]
    return "; ".join(lines) or (out.stderr.strip().splitlines() or ["pgbench failed"])[-1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument(
        "--workers", type=int, default=16, help="gunicorn worker processes (operations.md: processes, not threads)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--pg-clients", type=int, default=200, help="pgbench -c (capped by max_connections)")
    parser.add_argument("--pg-seconds", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="the database exists and is migrated: empty it")
    parser.add_argument(
        "--app",
        default="yinling.wsgi",
        help="the WSGI app gunicorn serves (rush_floor_app:app: the floor without Django)",
    )
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{DB}" if args.reuse else fresh_database("postgres", DB)
    started = time.perf_counter()
    ids, tokens, term_id = setup(url, args.people, args.reuse)
    print(f"set-up {time.perf_counter() - started:.1f} s: {SECTIONS} sections x {SEATS} seats, {args.people} people")
    from django.db import connection

    connection.close()  # gunicorn's workers get the connections
    port = free_port()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = start_gunicorn(url, port, args.workers, args.threads, args.app)
    try:
        client_before = time.process_time()
        wall, results, _ = rush(port, ids, tokens, args.clients, args.requests)
        client_cpu = time.process_time() - client_before
    finally:
        server.terminate()
        server.wait(30)
    # The server's CPU: gunicorn's master and its workers, all reaped by now (start-up included).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    times = sorted(r[2] for r in results)
    q = statistics.quantiles(times, n=100)
    statuses = Counter(r[0] for r in results)
    answers = Counter(r[1] for r in results)
    print(
        f"{len(results)} requests, {args.clients} clients, gunicorn {args.workers} workers x {args.threads} threads, "
        f"wall {wall:.1f} s: {len(results) / wall:.0f} decisions/s"
    )
    print(
        f"latency p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms"
    )
    print(
        f"CPU: server {server_cpu:.0f} s ({server_cpu / len(results) * 1000:.1f} ms a request, start-up included), "
        f"client {client_cpu:.0f} s, of {wall * (os.cpu_count() or 1):.0f} core-seconds in the wall time"
    )
    print("status " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print("answers " + ", ".join(f"{k}: {v}" for k, v in answers.most_common()))
    problems = check(term_id)
    five = sum(v for k, v in statuses.items() if k >= 500 or k == 0)
    if five:
        problems.append(f"{five} answers 5xx or no answer")
    with connection.cursor() as cur:
        cur.execute("SHOW max_connections")
        ceiling = int(cur.fetchone()[0])
    pg_clients = min(args.pg_clients, ceiling - 20)
    print(f"pgbench floor (-c {pg_clients} -j 2 -T {args.pg_seconds}, same conditional UPDATE): ", end="", flush=True)
    print(pgbench(url, ids, pg_clients, args.pg_seconds))
    print(
        "checks: " + ("all hold (no seat sold twice, nobody over the limit, no clash, no 5xx)" if not problems else "")
    )
    for p in problems[:20]:
        print("  FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

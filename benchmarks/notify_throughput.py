"""Notifications (issue #10): 10,000 notifications queued, then sent by two real `manage.py db_worker` processes.

    .venv/bin/python benchmarks/notify_throughput.py [--db sqlite|postgres] [--notifications 10000]
                                                     [--recipients 500] [--workers 2] [--keep]

On a fresh database (an SQLite file under var/bench, or PostgreSQL `yinling_bench_notify`, dropped afterwards
unless --keep): `--recipients` retirees with registry records (phones encrypted, as in production) and
accounts. The script calls the product's `notify()` for them in turn, one transaction per 500 (the database
queue of django-tasks: TASKS_BACKEND=database), each notification one job in the "notify" queue. Then it starts
`--workers` processes of `manage.py db_worker --queue-name notify --batch` (they exit once the queue is
empty) with the file SMS sender, and waits for them.

Measured: the time to queue, the workers' wall time (first start to last exit) and sends/s, and the workers'
CPU time (user + system, from os.wait4's resource usage of each worker process, its children included)
divided by the jobs: the queue's CPU per job on the worker side. The database server's own CPU (PostgreSQL's
backends) is not in it; the script prints it apart for PostgreSQL from /proc when it can read it.

Checked afterwards: every job succeeded, the SMS file holds exactly one line per notification (none lost,
none sent twice) and the delivery log one "sent" row per notification.

The workers run with DEBUG off (the development secrets under var/ are passed in the environment), as
production runs them: with DEBUG on Django keeps every query in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fresh_database, setup_django

DB_NAME = "yinling_bench_notify"
SECRETS = {
    "SECRET_KEY": "secret-key.txt",
    "FIELD_ENCRYPTION_KEY": "field-key.txt",
    "FIELD_HASH_KEY": "hash-key.txt",
    "AUDIT_CHAIN_KEY": "audit-chain-key.txt",
}


def prepare(recipients: int) -> list[int]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yinling.testing.personas import make_retiree_account, make_retiree_record, make_tree

    tree = make_tree()
    users = []
    for i in range(recipients):
        record = make_retiree_record(tree.unit_a, f"测试{i:04d}", f"139{i:08d}", i + 1, age=70)
        users.append(make_retiree_account(record).pk)
    return users


def queue(users: list[int], count: int) -> float:
    from django.db import transaction

    from yinling.accounts.models import User
    from yinling.notifications.services import notify

    people = list(User.objects.unrestricted().filter(pk__in=users))
    start = time.perf_counter()
    for first in range(0, count, 500):
        with transaction.atomic():
            for n in range(first, min(first + 500, count)):
                notify(people[n % len(people)], "bench", f"您的助餐服务已完成，请确认 2 小时（{n}）。", "/timebank/")
    return time.perf_counter() - start


def postgres_cpu() -> dict[int, float]:
    """{pid: CPU seconds so far} of the PostgreSQL backends serving the benchmark's database (utime + stime from
    /proc; a backend's title names its database). The server's shared processes (WAL writer, checkpointer) are
    left out: other people's databases share them."""
    seen, tick = {}, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            if f" {DB_NAME} ".encode() not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return seen


class PostgresSampler(threading.Thread):
    """Samples the backends every 0.2 s while the workers run: a backend ends with its worker's connection, so a
    before/after difference would lose it (up to 0.2 s of a backend's last CPU can be missed)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.start_cpu = postgres_cpu()
        self.last = dict(self.start_cpu)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.last.update(postgres_cpu())

    def seconds(self) -> float:
        self.done.set()
        self.join()
        self.last.update(postgres_cpu())
        return sum(cpu - self.start_cpu.get(pid, 0.0) for pid, cpu in self.last.items())


def run_workers(url: str, workers: int, sms_file: Path, log: Path) -> dict[str, float]:
    env = dict(os.environ)
    var = Path(os.environ.get("YINLING_VAR_DIR", ROOT / "var"))
    env.update({name: (var / filename).read_text().strip() for name, filename in SECRETS.items()})
    env.update(
        {
            "DEBUG": "0",
            "DATABASE_URL": url,
            "TASKS_BACKEND": "database",
            "SMS_SENDER": "yinling.notifications.senders.FileSender",
            "SMS_FILE": str(sms_file),
            "NOTIFY_SMS_PER_HOUR": "1000000",  # the limit is checked (one COUNT a job) but not reached
            "LOG_LEVEL": "ERROR",
            # The worker calls close_old_connections() after every job: with the default 0 each job opens a new
            # connection (on PostgreSQL a new server process). docs/operations.md runs workers with 60.
            "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        }
    )
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--queue-name", "notify", "--batch"]
    command += ["--no-startup-delay", "--no-reload", "--interval", "0.1"]
    sampler = PostgresSampler() if url.startswith("postgres") else None
    if sampler is not None:
        sampler.start()
    start = time.perf_counter()
    with log.open("a") as out:
        procs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out) for _ in range(workers)]
    cpu = 0.0
    for proc in procs:
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        if proc.returncode:
            raise SystemExit(f"a worker exited with {proc.returncode}")
    wall = time.perf_counter() - start
    result = {"wall": wall, "cpu": cpu}
    if sampler is not None:
        result["postgres_cpu"] = sampler.seconds()
    return result


def check(count: int, sms_file: Path) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from yinling.notifications.models import Delivery

    lines = sms_file.read_text().splitlines() if sms_file.exists() else []
    texts = [json.loads(line)["text"] for line in lines]
    from django.db.models import Count

    statuses = {r["status"]: r["n"] for r in DBTaskResult.objects.values("status").annotate(n=Count("id"))}
    deliveries = {r["status"]: r["n"] for r in Delivery.objects.unrestricted().values("status").annotate(n=Count("id"))}
    return {
        "sms_lines": len(lines),
        "distinct_texts": len(set(texts)),
        "jobs": statuses,
        "deliveries": deliveries,
        "ok": len(lines) == count and len(set(texts)) == count and deliveries == {"sent": count},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    os.environ["TASKS_BACKEND"] = "database"
    os.environ["NOTIFY_SMS_PER_HOUR"] = "1000000"
    url = fresh_database(args.db, DB_NAME)
    setup_django(url)
    from django.conf import settings

    settings.DEBUG = False  # the script needs DEBUG only for the development secrets
    # The accounts' passwords are never used: full-strength hashing would take most of the set-up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sms_file = ROOT / "var" / "bench" / "notify-sms.jsonl"
    sms_file.parent.mkdir(parents=True, exist_ok=True)
    sms_file.unlink(missing_ok=True)

    t0 = time.perf_counter()
    users = prepare(args.recipients)
    print(f"prepared {len(users)} retirees with accounts in {time.perf_counter() - t0:.1f} s", flush=True)
    from django.db import connections

    connections.close_all()
    log = ROOT / "var" / "bench" / "notify-workers.log"
    log.unlink(missing_ok=True)
    # The same workers on the empty queue first: what starting Django and finding nothing costs, taken off below.
    idle = run_workers(url, args.workers, sms_file, log)
    queued = queue(users, args.notifications)
    print(f"queued {args.notifications} notifications in {queued:.1f} s", flush=True)
    connections.close_all()
    figures = run_workers(url, args.workers, sms_file, log)
    result = check(args.notifications, sms_file)
    n = args.notifications
    summary = {
        "db": args.db,
        "workers": args.workers,
        "notifications": n,
        "queue_s": round(queued, 2),
        "queue_per_s": round(n / queued, 1),
        "send_wall_s": round(figures["wall"], 2),
        "sends_per_s": round(n / figures["wall"], 1),
        "worker_cpu_s": round(figures["cpu"], 2),
        "worker_cpu_ms_per_job": round(1000 * figures["cpu"] / n, 2),
        "idle_workers_wall_s": round(idle["wall"], 2),
        "idle_workers_cpu_s": round(idle["cpu"], 2),
        "net_sends_per_s": round(n / max(figures["wall"] - idle["wall"], 1e-9), 1),
        "net_worker_cpu_ms_per_job": round(1000 * (figures["cpu"] - idle["cpu"]) / n, 2),
        **(
            {"postgres_cpu_ms_per_job": round(1000 * figures["postgres_cpu"] / n, 2)}
            if "postgres_cpu" in figures
            else {}
        ),
        **result,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.db == "postgres" and not args.keep:
        connections.close_all()
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    if not result["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

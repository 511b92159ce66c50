"""Seed 1,000,000 demo retirees into a fresh PostgreSQL database and time it (issue #3: within 10 minutes).

    .venv/bin/python benchmarks/seed_1m.py              # create, migrate, seed, time, then drop the database
    .venv/bin/python benchmarks/seed_1m.py --keep       # keep yinling_bench_1m for benchmarks/list_search.py
    .venv/bin/python benchmarks/seed_1m.py --reuse      # keep and reuse it if it already holds the rows

It runs the product's own command, `manage.py seed_demo --retirees N` (two processes on
PostgreSQL, see yinling/registry/demo.py), in a subprocess against DATABASE_URL pointing at
the bench database, and prints the wall time and rows/s. Migrating and the ANALYZE that
follows (so the planner knows the table for list_search.py) are timed separately.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET_SECONDS = 600


def admin_sql(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def database_exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def retiree_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM registry_retiree").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "yinling.settings"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def drop(server: str, name: str) -> None:
    admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(server: str, name: str, retirees: int, reuse: bool) -> dict[str, float]:
    """Create (or reuse) the database; returns the timings in seconds."""
    url = f"{server}/{name}"
    if reuse and database_exists(server, name) and retiree_count(url) >= retirees:
        # Migrations may have been added since (indexes): apply them, they are part of the schema.
        manage(url, "migrate", "-v0")
        print(f"reusing {name}: {retiree_count(url):,} retirees already there")
        return {}
    drop(server, name)
    admin_sql(server, f'CREATE DATABASE "{name}"')
    t0 = time.perf_counter()
    manage(url, "migrate", "-v0")
    t1 = time.perf_counter()
    manage(url, "seed_demo", "--quiet", "--retirees", str(retirees))
    t2 = time.perf_counter()
    admin_sql_db(url, "VACUUM ANALYZE")
    t3 = time.perf_counter()
    return {"migrate": t1 - t0, "seed": t2 - t1, "analyze": t3 - t2}


def admin_sql_db(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--retirees", type=int, default=1_000_000)
    parser.add_argument("--db", default="yinling_bench_1m", help="database name (dropped and created)")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL without a database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it holds the rows (implies --keep)")
    args = parser.parse_args()

    timings = seed(args.server, args.db, args.retirees, args.reuse)
    url = f"{args.server}/{args.db}"
    if timings:
        rows = retiree_count(url)
        seconds = timings["seed"]
        verdict = "PASS" if seconds < TARGET_SECONDS else "MISS"
        print(f"database            {args.db} (PostgreSQL, {os.cpu_count()} cores)")
        print(f"migrate             {timings['migrate']:8.1f} s")
        print(
            f"seed_demo --retirees {args.retirees:,}: {seconds:8.1f} s wall, {rows:,} retirees, "
            f"{rows / seconds:,.0f} rows/s  [{verdict}: target < {TARGET_SECONDS} s]"
        )
        print(f"VACUUM ANALYZE      {timings['analyze']:8.1f} s (not part of the target)")
        print(f"load average        {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    if args.keep or args.reuse:
        print(f"kept {args.db}: DATABASE_URL={url}")
    else:
        drop(args.server, args.db)
        print(f"dropped {args.db} (use --keep to keep it)")
    return 0 if not timings or timings["seed"] < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())

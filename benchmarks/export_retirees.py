"""Registry export (issue #3): the whole province's 100,000 retirees to .xlsx within 30 s, with bounded memory.

    .venv/bin/python benchmarks/export_retirees.py [--rows 100000] [--small 10000] [--db sqlite|postgres|both]
                                                   [--skip-baseline] [--keep]

For each database: a fresh database `yinling_bench_export` (an SQLite file under var/bench, or
dropped and created on postgres://postgres@127.0.0.1:5432), migrated and seeded by the product's
own `seed_demo --retirees N` (org tree, demo accounts, synthetic retirees), first with --small
retirees, then topped up to --rows. At each size, each measurement runs in its own process (so
its peak memory is its own), with the benchmark settings (the product's, DEBUG off):

  unmasked   the demo user `zhejiang` (bureau admin at 330000, may view sensitive data) requests
             /registry/?export=xlsx through Django's test Client, the link of the list page's
             export button with no filters (the whole province), and writes the streamed
             response to a file: ID numbers, phones and addresses decrypted
  masked     the same as a clerk at 330000 (may export, may not view sensitive data): masks
  baseline   for comparison, the same rows (unmasked) into an ordinary openpyxl Workbook (not
             write-only), saved to a file: what a naive export holds in memory
  iex        django-import-export 4: a Resource with the template's columns (headers as ours, the
             stored values: codes, not labels; decrypted sensitive fields), export() to a tablib
             Dataset, then Dataset.export("xlsx"), as its admin export action does (--skip-iex to
             leave it out; installed for the benchmark only: pip install django-import-export)

Printed per measurement: rows in the file (read back with python_calamine, header excluded),
seconds from the request to the last byte written, rows/s, resident memory before the request
and the process's peak (ru_maxrss), and the file size. Exit status 1 when a file at --rows does
not hold exactly the people on register (the list's default) plus the header, or an export (masked
or unmasked) at --rows takes more than 30 s. The baseline is not checked against the target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fresh_database, peak_rss_mb, setup_django

DB_NAME = "yinling_bench_export"
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET_SECONDS = 30.0
CLERK = "bench_clerk"
OUT = ROOT / "var" / "bench"


def database_url(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{OUT / f'{DB_NAME}.sqlite3'}"
    return f"{SERVER}/{DB_NAME}"


def current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def phase_seed(kind: str, rows: int, fresh: bool) -> dict[str, Any]:
    url = fresh_database(kind, DB_NAME) if fresh else database_url(kind)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    if fresh:
        call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True, retirees=rows)
    from yinling.accounts import roles
    from yinling.accounts.models import RoleAssignment, User
    from yinling.orgs.models import Org
    from yinling.registry.models import Retiree

    province = Org.objects.get(code="330000")
    clerk, _created = User.objects.get_or_create(username=CLERK, defaults={"kind": "staff", "org": province})
    RoleAssignment.objects.get_or_create(user=clerk, role=roles.CLERK, org=province)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # as autovacuum would after a bulk load
    seconds = time.perf_counter() - start
    people = Retiree.objects.filter(is_deleted=False)
    # The list (and so its export) shows people on register unless a status is asked for.
    return {"seconds": seconds, "rows": people.count(), "on_register": people.filter(status="active").count()}


def count_rows(path: Path) -> tuple[int, list[str]]:
    """Data rows in the first sheet (the header row excluded) and the first data row, read back."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    count, first = 0, []
    for i, row in enumerate(sheet.iter_rows()):
        if i == 1:
            first = [str(v) for v in row]
        count += 1
    return count - 1, first


def phase_export(kind: str, rows: int, masked: bool) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"  # DEBUG off, as in production
    setup_django(database_url(kind))
    from django.contrib.auth import get_user_model
    from django.test import Client

    from yinling.audit.models import AuditRecord

    user = get_user_model().objects.get(username=CLERK if masked else "zhejiang")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    path = OUT / f"export-{kind}-{rows}-{'masked' if masked else 'unmasked'}.xlsx"
    before = current_rss_mb()
    start = time.perf_counter()
    response = client.get("/registry/?export=xlsx")
    assert response.status_code == 200, response.status_code
    with path.open("wb") as out:
        if response.streaming:
            for chunk in response.streaming_content:  # type: ignore[attr-defined]
                out.write(chunk)
        else:
            out.write(response.content)
    response.close()
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()  # before reading the file back, which is not part of the export
    audit = AuditRecord.objects.filter(action="export", actor_username=user.username).order_by("-id").first()
    counted, first = count_rows(path)
    return {
        "seconds": seconds,
        "rows": counted,
        "audited_rows": (audit.extra or {}).get("rows") if audit else None,
        "before_mb": before,
        "peak_mb": peak,
        "bytes": path.stat().st_size,
        "id_column": first[2] if len(first) > 2 else "",
    }


def phase_baseline(kind: str, rows: int) -> dict[str, Any]:
    """The same rows into an ordinary (not write-only) openpyxl workbook: every cell is held in memory."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    setup_django(database_url(kind))
    from openpyxl import Workbook

    from yinling.core.sheets.xlsx import cell_value as _cell_value
    from yinling.registry.exports import HEADERS, iter_rows
    from yinling.registry.models import Retiree

    path = OUT / f"export-{kind}-{rows}-baseline.xlsx"
    before = current_rss_mb()
    start = time.perf_counter()
    wb = Workbook()
    ws = wb.active
    ws.title = "离退休干部"
    ws.append(HEADERS)
    for row in iter_rows(Retiree.objects.filter(is_deleted=False), True):
        ws.append([_cell_value(v) for v in row])
    wb.save(path)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    counted, first = count_rows(path)
    return {
        "seconds": seconds,
        "rows": counted,
        "before_mb": before,
        "peak_mb": peak,
        "bytes": path.stat().st_size,
        "id_column": first[2] if len(first) > 2 else "",
    }


def phase_iex(kind: str, rows: int) -> dict[str, Any]:
    """django-import-export's export of the same rows: what a Django team would reach for."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    setup_django(database_url(kind))
    from import_export import fields, resources

    from yinling.registry.models import Retiree
    from yinling.registry.schema import COLUMNS

    declared: dict[str, Any] = {
        c.key: fields.Field(attribute="org__code" if c.key == "org_code" else c.key, column_name=c.header)
        for c in COLUMNS
    }
    declared["Meta"] = type("Meta", (), {"fields": tuple(c.key for c in COLUMNS)})
    resource_class: type[Any] = type("RetireeResource", (resources.Resource,), declared)
    path = OUT / f"export-{kind}-{rows}-iex.xlsx"
    before = current_rss_mb()
    start = time.perf_counter()
    # The rows the list page exports with no filter: people on register.
    queryset = Retiree.objects.filter(is_deleted=False, status="active").select_related("org").order_by("pk")
    dataset = resource_class().export(queryset=queryset)
    path.write_bytes(dataset.export("xlsx"))
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    counted, first = count_rows(path)
    return {
        "seconds": seconds,
        "rows": counted,
        "before_mb": before,
        "peak_mb": peak,
        "bytes": path.stat().st_size,
        "id_column": first[2] if len(first) > 2 else "",
    }


def run_phase(kind: str, rows: int, phase: str, *extra: str) -> dict[str, Any] | None:
    out = subprocess.run(
        [sys.executable, __file__, "--db", kind, "--rows", str(rows), "--phase", phase, *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        print(f"{kind:<9} {rows:>8,} {phase:<10} failed:\n{out.stderr[-3000:]}", flush=True)
        return None
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="retirees in the full export (the target)")
    parser.add_argument("--small", type=int, default=10_000, help="retirees in the first, smaller export (0: none)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out the ordinary-workbook baseline")
    parser.add_argument("--skip-iex", action="store_true", help="leave out django-import-export")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the .xlsx files) afterwards")
    parser.add_argument(
        "--phase", choices=["seed", "seed-fresh", "unmasked", "masked", "baseline", "iex"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.phase:
        if args.phase.startswith("seed"):
            figures = phase_seed(args.db, args.rows, fresh=args.phase == "seed-fresh")
        elif args.phase == "baseline":
            figures = phase_baseline(args.db, args.rows)
        elif args.phase == "iex":
            figures = phase_iex(args.db, args.rows)
        else:
            figures = phase_export(args.db, args.rows, masked=args.phase == "masked")
        print(json.dumps(figures, ensure_ascii=False))
        return 0

    load = os.getloadavg()
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores, shared)")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    sizes = [n for n in (args.small, args.rows) if n > 0]
    phases = [
        "unmasked",
        "masked",
        *(() if args.skip_baseline else ("baseline",)),
        *(() if args.skip_iex else ("iex",)),
    ]
    failures: list[str] = []
    table: list[tuple[str, int, str, dict[str, Any]]] = []
    header = (
        f"\n{'database':<9} {'retirees':>8} {'export':<10} {'rows':>8} {'seconds':>8} {'rows/s':>8} "
        f"{'start MB':>9} {'peak MB':>8} {'file MB':>8}"
    )
    for kind in kinds:
        for n, rows in enumerate(sizes):
            seeded = run_phase(kind, rows, "seed-fresh" if n == 0 else "seed")
            if seeded is None:
                failures.append(f"{kind}: seeding {rows:,} failed")
                break
            print(f"{kind}: seed_demo --retirees {rows:,}: {seeded['seconds']:.1f} s ({seeded['rows']:,} retirees)")
            if seeded["rows"] != rows:
                failures.append(f"{kind}: {seeded['rows']:,} retirees seeded, not {rows:,}")
            print(header)
            for phase in phases:
                f = run_phase(kind, rows, phase)
                if f is None:
                    failures.append(f"{kind} {rows:,} {phase}: failed")
                    continue
                table.append((kind, rows, phase, f))
                print(
                    f"{kind:<9} {rows:>8,} {phase:<10} {f['rows']:>8,} {f['seconds']:>8.1f} "
                    f"{f['rows'] / f['seconds']:>8,.0f} {f['before_mb']:>9.0f} {f['peak_mb']:>8.0f} "
                    f"{f['bytes'] / 1e6:>8.1f}",
                    flush=True,
                )
                expected = seeded.get("on_register", rows)
                if f["rows"] != expected:
                    failures.append(f"{kind} {rows:,} {phase}: the file holds {f['rows']:,} rows, not {expected:,}")
                if phase in ("baseline", "iex"):
                    continue
                if f.get("audited_rows") != expected:
                    failures.append(f"{kind} {rows:,} {phase}: the audit record says {f.get('audited_rows')} rows")
                if ("*" in f["id_column"]) != (phase == "masked"):
                    failures.append(f"{kind} {rows:,} {phase}: ID column {f['id_column']!r}")
                if rows == args.rows and f["seconds"] > TARGET_SECONDS:
                    failures.append(f"{kind} {rows:,} {phase}: {f['seconds']:.1f} s, over {TARGET_SECONDS:.0f} s")
        if kind == "postgres" and not args.keep:
            drop_postgres()
    if not args.keep:
        for path in OUT.glob("export-*.xlsx"):
            path.unlink()
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"{DB_NAME}.sqlite3{suffix}").unlink(missing_ok=True)
    by_size = {(k, r, p): f for k, r, p, f in table}
    for kind in kinds:
        for phase in ("unmasked", "masked"):
            small, large = by_size.get((kind, args.small, phase)), by_size.get((kind, args.rows, phase))
            if small and large and args.small:
                print(
                    f"{kind:<9} {phase:<9} peak memory {small['peak_mb']:.0f} MB at {args.small:,} rows, "
                    f"{large['peak_mb']:.0f} MB at {args.rows:,} ({large['peak_mb'] - small['peak_mb']:+.0f} MB "
                    f"for {args.rows / args.small:.0f}× the rows)"
                )
    for kind in kinds:
        for rows in sizes:
            ours, iex = by_size.get((kind, rows, "unmasked")), by_size.get((kind, rows, "iex"))
            if ours and iex:
                print(
                    f"{kind:<9} {rows:,} rows: the unmasked export takes {ours['seconds']:.1f} s, "
                    f"django-import-export {iex['seconds']:.1f} s ({iex['seconds'] / ours['seconds']:.1f}×)"
                )
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for failure in failures:
        print(f"FAIL {failure}")
    if not failures:
        print(f"PASS: {args.rows:,} rows exported and read back, each export within {TARGET_SECONDS:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

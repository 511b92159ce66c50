"""Import benchmark (issue #3): our import vs django-import-export vs the floor, on SQLite and PostgreSQL.

    DEBUG=1 .venv/bin/python benchmarks/import_retirees.py --rows 100000 [--db sqlite|postgres|both]

Each measurement runs in its own process on a fresh database (so peak memory is its own):
  ours    yinling.registry.imports.Importer, end to end (read, validate, upsert, audit, seal)
  iex     django-import-export 4 ModelResource, bulk mode (use_bulk, batch_size=1000, skip_diff,
          skip_unchanged=False), same file, same model, derived fields computed per row
  floor   read the sheet and bulk-insert its rows with no validation at all
django-import-export is installed for the benchmark only: `.venv/bin/pip install django-import-export`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fresh_database, peak_rss_mb, setup_django


def build_sheet(count: int) -> Path:
    path = ROOT / "var" / "bench" / f"retirees-{count}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    setup_django(fresh_database("sqlite", "sheet-builder"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yinling.core.sheets import write_xlsx
    from yinling.orgs.demo import seed_org_tree
    from yinling.orgs.models import Org
    from yinling.registry.demo import make_retiree
    from yinling.registry.exports import RowFormatter
    from yinling.registry.schema import HEADERS

    seed_org_tree({}, lambda _m: None)
    leaves = list(Org.objects.filter(kind__in=["unit", "station", "county_bureau"]).order_by("path"))
    formatter = RowFormatter(True, {o.pk: o.code for o in leaves})

    def rows() -> Iterator[list[object]]:
        for i in range(1, count + 1):
            org = leaves[i % len(leaves)]
            person, _contacts = make_retiree(i, org, (org.division_id or org.code)[:6])
            person.org_id = org.pk
            yield formatter.values(person)

    # The product's own streaming writer (the export's): the file is what an export hands a bureau.
    with path.open("wb") as out:
        write_xlsx(out, HEADERS, rows(), "离退休干部信息")
    return path


def prepare(kind: str, phase: str) -> tuple[object, Path]:
    url = fresh_database(kind, f"yinling_bench_import_{phase}")
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yinling.accounts import roles
    from yinling.accounts.models import RoleAssignment, User
    from yinling.orgs.demo import seed_org_tree
    from yinling.orgs.models import Org

    seed_org_tree({}, lambda _m: None)
    user = User.objects.create(username="bench", kind="staff", org=Org.objects.get(code="330000"))
    RoleAssignment.objects.create(user=user, role=roles.BUREAU_ADMIN, org=user.org)
    return user, url


def phase_ours(kind: str, sheet: Path) -> dict[str, float]:
    user, _url = prepare(kind, "ours")
    from yinling.audit.context import acting
    from yinling.registry.imports import Importer, auto_workers

    start = time.perf_counter()
    with acting(user=user):
        # As the import command runs it: row checks in worker processes for large files.
        importer = Importer(user, None, source="benchmark", workers=auto_workers(sheet))
        result = importer.run(sheet, sheet.name, apply=True)
    seconds = time.perf_counter() - start
    assert result.rejected == 0, result.errors[:5]
    return {"seconds": seconds, "rows": result.created, "peak_mb": peak_rss_mb()}


def phase_floor(kind: str, sheet: Path) -> dict[str, float]:
    _user, _url = prepare(kind, "floor")
    from python_calamine import CalamineWorkbook

    from yinling.orgs.models import Org
    from yinling.registry.models import Retiree

    orgs = dict(Org.objects.values_list("code", "id"))
    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(sheet)).get_sheet_by_index(0).iter_rows()
    next(rows)
    batch: list[Retiree] = []
    count = 0
    for r in rows:
        # Straight into the columns, no parsing or checks: what any import must at least pay.
        batch.append(
            Retiree(
                org_id=orgs[str(r[0])],
                name=r[1],
                id_number=str(r[2]),
                id_hash=str(r[2]),
                id_masked=str(r[2])[:18],
                gender="M" if r[3] == "男" else "F",
                birth_date=r[4],
                category="tuixiu" if r[5] == "退休" else "lixiu",
                phone=str(r[22]),
                address=str(r[20]),
                health_notes=str(r[24]),
            )
        )
        if len(batch) == 2000:
            Retiree.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Retiree.objects.bulk_create(batch)
    count += len(batch)
    return {"seconds": time.perf_counter() - start, "rows": count, "peak_mb": peak_rss_mb()}


def phase_iex(kind: str, sheet: Path) -> dict[str, float]:
    _user, _url = prepare(kind, "iex")
    try:
        import tablib
        from import_export import fields, resources
    except ImportError:
        return {"seconds": float("nan"), "rows": 0, "peak_mb": 0.0, "missing": 1.0}
    from yinling.core.crypto import keyed_hash
    from yinling.orgs.models import Org
    from yinling.registry.models import Retiree
    from yinling.registry.schema import COLUMNS
    from yinling.registry.validation import clean_record

    orgs = dict(Org.objects.values_list("code", "id"))
    headers = {c.header: c.key for c in COLUMNS}

    class RetireeResource(resources.ModelResource):
        id_hash = fields.Field(attribute="id_hash", column_name="id_hash")

        class Meta:
            model = Retiree
            import_id_fields = ("id_hash",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_unchanged = False
            force_init_instance = True
            fields = ("id_hash", *[c.key for c in COLUMNS if c.key != "org_code"], "org")

        def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
            # The same rules as ours, so both do the same work per row.
            raw = {headers[h]: row[h] for h in row.keys() if h in headers}  # noqa: SIM118 - tablib rows iterate values
            cleaned = clean_record(raw)
            for key, value in cleaned.values.items():
                row[key] = json.dumps(value) if isinstance(value, list) else value  # its JSON widget wants text
            row["org"] = orgs[str(raw["org_code"])]
            row["id_hash"] = keyed_hash(cleaned.values["id_number"], "id")

        def before_save_instance(self, instance, row, **kwargs):  # type: ignore[no-untyped-def]
            instance.refresh_derived()

    start = time.perf_counter()
    with sheet.open("rb") as fh:
        dataset = tablib.Dataset().load(fh, format="xlsx")
    dataset.append_col([None] * dataset.height, header="id_hash")  # filled per row in before_import_row
    result = RetireeResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": result.totals.get("new", 0), "peak_mb": peak_rss_mb()}


PHASES = {"ours": phase_ours, "iex": phase_iex, "floor": phase_floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--skip-iex", action="store_true", help="Leave out django-import-export (slow).")
    args = parser.parse_args()
    if args.phase:
        kind = args.db
        figures = PHASES[args.phase](kind, ROOT / "var" / "bench" / f"retirees-{args.rows}.xlsx")
        print(json.dumps(figures))
        return
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (2 cores; other work on the machine slows every phase)")
    print(f"building the {args.rows:,}-row sheet …", flush=True)
    build_sheet_in_child(args.rows)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"\n{'database':<10} {'import':<22} {'seconds':>9} {'rows/s':>10} {'peak MB':>9}")
    for kind in kinds:
        figures: dict[str, dict[str, float]] = {}
        for phase in ("ours", "floor", *(() if args.skip_iex else ("iex",))):
            out = subprocess.run(
                [sys.executable, __file__, "--rows", str(args.rows), "--db", kind, "--phase", phase],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                print(f"{kind:<10} {phase:<22} failed:\n{out.stderr[-2000:]}")
                continue
            figures[phase] = json.loads(out.stdout.strip().splitlines()[-1])
            f = figures[phase]
            label = {"ours": "yinling", "iex": "django-import-export", "floor": "floor (no validation)"}[phase]
            print(
                f"{kind:<10} {label:<22} {f['seconds']:>9.1f} {f['rows'] / f['seconds']:>10,.0f} {f['peak_mb']:>9.0f}",
                flush=True,
            )
        if "ours" in figures and "iex" in figures:
            print(
                f"{kind:<10} yinling is {figures['iex']['seconds'] / figures['ours']['seconds']:.1f}× "
                "django-import-export's throughput"
            )
        if "ours" in figures and "floor" in figures:
            print(
                f"{kind:<10} yinling takes {figures['ours']['seconds'] / figures['floor']['seconds']:.1f}× "
                "the floor's time"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def build_sheet_in_child(rows: int) -> None:
    path = ROOT / "var" / "bench" / f"retirees-{rows}.xlsx"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                f"import import_retirees as m; m.build_sheet({rows})",
            ],
            check=True,
        )


if __name__ == "__main__":
    main()

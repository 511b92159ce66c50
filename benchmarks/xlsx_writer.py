"""The export's .xlsx writer against openpyxl's write-only mode, with no database: 100,000 rows of 33 text cells.

    DEBUG=1 .venv/bin/python benchmarks/xlsx_writer.py [--rows 100000]

Same rows (typical registry text: codes, names, an ID number, a phone, an address, labels) written
to a temporary file by yinling.core.sheets.write_xlsx and by openpyxl's Workbook(write_only=True);
prints seconds and rows/s for each, and the ratio. Both files are read back with python-calamine and
must hold the same cells.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_django("sqlite:///:memory:")
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from yinling.core.sheets import write_xlsx

    headers = [f"列{i + 1}" for i in range(33)]
    rows = [
        [
            f"3301{i % 99:02d}",
            f"张{i}",
            f"33010619450301{i % 10000:04d}",
            "退休",
            f"138{i % 100_000_000:08d}",
            "1945-03-01",
            "1968-08",
            "中共党员",
            "大学本科",
            f"浙江省杭州市西湖区文三路 {i} 号",
            *["某某单位某某处"] * 23,
        ]
        for i in range(args.rows)
    ]
    seconds: dict[str, float] = {}
    cells: dict[str, list[list[object]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "ours.xlsx", Path(tmp) / "openpyxl.xlsx"
        start = time.perf_counter()
        with ours.open("wb") as out:
            write_xlsx(out, headers, rows)
        seconds["write_xlsx"] = time.perf_counter() - start
        start = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet1")
        ws.append(headers)
        for row in rows:
            ws.append(row)
        wb.save(theirs)
        seconds["openpyxl write-only"] = time.perf_counter() - start
        for name, path in (("write_xlsx", ours), ("openpyxl write-only", theirs)):
            cells[name] = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    for name, s in seconds.items():
        print(f"{name:<20} {s:6.1f} s {args.rows / s:>10,.0f} rows/s")
    print(f"ratio: {seconds['openpyxl write-only'] / seconds['write_xlsx']:.1f}×")
    if cells["write_xlsx"] != cells["openpyxl write-only"]:
        print("FAIL: the two files hold different cells")
        return 1
    print(f"same cells in both files ({args.rows:,} rows + header)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

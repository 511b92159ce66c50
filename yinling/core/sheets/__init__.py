"""Spreadsheets in and out, for every module: read (xlsx, CSV), match headers, check rows, report, write.

- `reading`: .xlsx through calamine or streamed through expat, CSV in UTF-8/GBK → numbered rows
- `package`: an uploaded workbook checked before parsing (parts, real expanded sizes, ratios)
- `cells`: generic cell parsers (text with full-width letters and digits normalised, dates at
  day or month precision in every format Chinese office sheets use, numbers, codes)
- `schema`: the declarative column schema (header, aliases, parser, required) and header matching
- `checking`: rows checked in batches, in forked worker processes for large files
- `report`: the error report (row and column named, bad cells marked, re-importable)
- `xlsx`: the fast streaming .xlsx writer (exports go through `core.exports.xlsx_response`)

A module's import is a `SheetSchema` plus its own apply step; core imports no domain app.
"""

from yinling.core.sheets.cells import Month, code, parse_date, parse_date_or_month, parse_month, text
from yinling.core.sheets.checking import auto_workers, checked, gc_paused
from yinling.core.sheets.reading import Row, Source, UnreadableFile, open_tables
from yinling.core.sheets.report import RejectedRow, RowError, write_report
from yinling.core.sheets.schema import Layout, SheetColumn, SheetSchema, blank
from yinling.core.sheets.xlsx import write_xlsx

__all__ = [
    "Layout",
    "Month",
    "RejectedRow",
    "Row",
    "RowError",
    "SheetColumn",
    "SheetSchema",
    "Source",
    "UnreadableFile",
    "auto_workers",
    "blank",
    "checked",
    "code",
    "gc_paused",
    "open_tables",
    "parse_date",
    "parse_date_or_month",
    "parse_month",
    "text",
    "write_report",
    "write_xlsx",
]

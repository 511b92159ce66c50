"""The error report: rejected rows as they were, a reasons column, the bad cells marked, re-importable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from yinling.core.sheets.xlsx import FORMULA_START


@dataclass
class RowError:
    row: int  # as the spreadsheet shows it
    column: str  # the header as the file writes it
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RejectedRow:
    row: int
    values: list[Any]
    bad: list[tuple[int | None, str, str]]  # (file column index or None, header, message)


def error_header() -> str:
    return _("Reasons")


def write_report(headers: list[str], rejected_rows: list[RejectedRow], target: Path | IO[bytes]) -> None:
    """The rejected rows as they were (original headers and values), a reasons column, bad cells marked.

    Re-importable as it is: the header is in row 1, and the reasons column matches no column
    of any schema, so an import ignores it. Written row by row (openpyxl write-only, which
    also writes the comments), so a large report needs little memory.

    The values are what someone uploaded: a string is always written as a string (openpyxl
    would otherwise turn "=..." into a formula), with the quote-prefix style when it starts
    like a formula, as core.sheets.xlsx does for every export.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Rows to fix"))
    width = len(headers)
    while (
        width
        and not headers[width - 1]
        and not any(len(r.values) >= width and r.values[width - 1] not in (None, "") for r in rejected_rows)
    ):
        width -= 1
    titles = [h or _("Column %(n)d") % {"n": i + 1} for i, h in enumerate(headers[:width])]
    bold = Font(bold=True)
    header_cells = []
    for title in [*titles, error_header()]:
        cell = _cell(ws, title)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    fill = PatternFill("solid", fgColor="FFC7CE")
    separator = _("; ")
    author = _("Yinling")
    for rejected in rejected_rows:
        marks: dict[int, list[str]] = {}
        for index, _header, message in rejected.bad:
            if index is not None and index < width:
                marks.setdefault(index, []).append(message)
        cells: list[Any] = []
        for i in range(width):
            value = _plain(rejected.values[i] if i < len(rejected.values) else None)
            cell = _cell(ws, value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and value.isdigit() and len(value) > 11:
                cell.number_format = "@"  # keep ID numbers as text when the file is saved again
            if i in marks:
                cell.fill = fill
                cell.comment = Comment(separator.join(marks[i]), author, width=240, height=80)
            cells.append(cell)
        reasons = separator.join(
            _("%(column)s: %(message)s") % {"column": header, "message": message}
            for _i, header, message in rejected.bad
        )
        ws.append([*cells, _cell(ws, reasons)])
    wb.save(target)


def _cell(ws: Any, value: Any) -> Any:
    """A write-only cell that never holds a formula: strings stay strings."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    return str(value)

"""Spreadsheet exports: written row by row (openpyxl write-only), audited."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from yinling.audit.models import AuditRecord
from yinling.audit.services import record


def _cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, int | float | str) or hasattr(value, "isoformat"):
        return value
    return str(value)


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    object_type: str,
    org_path: str = "",
    filters: dict[str, Any] | None = None,
    sheet_title: str = "Sheet1",
    extra: dict[str, Any] | None = None,
) -> FileResponse:
    """Write rows to a temporary .xlsx (bounded memory) and stream it back; record the export."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=str(title))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    for row in rows:
        ws.append([_cell_value(v) for v in row])
        count += 1
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    wb.save(tmp)
    tmp.seek(0)
    record(
        AuditRecord.Action.EXPORT,
        object_type=object_type,
        object_repr=filename,
        org_path=org_path,
        extra={"rows": count, "filters": filters or {}, "format": "xlsx", **(extra or {})},
    )
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

"""Spreadsheet exports: streamed row by row into an .xlsx (bounded memory), audited.

Core sits below the audit app, so an export announces itself on the `exported` signal and the
audit app records it (its AppConfig connects the receiver); with no receiver an export refuses
to run rather than leave a download unrecorded. The writer itself is `core.sheets.xlsx`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal
from django.http import FileResponse

from yinling.core.sheets.xlsx import MAX_ROWS, XLSX_CONTENT_TYPE, cell_value, write_xlsx

__all__ = ["MAX_ROWS", "XLSX_CONTENT_TYPE", "cell_value", "exported", "write_xlsx", "xlsx_response"]

# Sent once per download, inside the request, after the rows are written: kwargs object_type,
# object_repr (the file name), org_path, extra (rows, filters, format, ...).
exported = Signal()


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
    if not exported.has_listeners(xlsx_response):
        raise ImproperlyConfigured("no receiver records exports: is yinling.audit in INSTALLED_APPS?")
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    count = write_xlsx(tmp, headers, rows, sheet_title)
    tmp.seek(0)
    exported.send(
        sender=xlsx_response,
        object_type=object_type,
        object_repr=filename,
        org_path=org_path,
        extra={"rows": count, "filters": filters or {}, "format": "xlsx", **(extra or {})},
    )
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)

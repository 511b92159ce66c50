"""Spreadsheet exports: streamed row by row into an .xlsx (bounded memory), audited.

Core sits below the audit app, so an export announces itself on the `exported` signal and the
audit app records it (its AppConfig connects the receiver); with no receiver an export refuses
to run rather than leave a download unrecorded. The writer itself is `core.sheets.xlsx`.

Every export has one shape, `Export`, whether written within the request (`xlsx_response`) or by a
background job (the registry's and the time bank's export jobs): who may have it unmasked
(`may_unmask`), the sheet written and its rows counted (`Export.write`), and the audit record of
what was handed out (`Export.record`). The record is written once the file is the person's: at once
within a request, and in a job only when the job ends done (`JobContext.on_done`), never for a file
a cancel or a failure threw away.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.dispatch import Signal
from django.http import FileResponse

from yinling.core.scoping import has_anywhere
from yinling.core.sheets.xlsx import MAX_ROWS, XLSX_CONTENT_TYPE, cell_value, write_xlsx

__all__ = [
    "MAX_ROWS",
    "XLSX_CONTENT_TYPE",
    "Export",
    "cell_value",
    "exported",
    "may_unmask",
    "write_xlsx",
    "xlsx_response",
]

# Sent once per export handed out, after the rows are written: kwargs object_type, object_repr (the
# file name), org_path, extra (rows, filters, format, ...).
exported = Signal()


def may_unmask(user: Any, qs: QuerySet[Any], action: str = "view_sensitive") -> bool:
    """Whether `user` holds `action` on every record of `qs` (a scoped model): only then is an export of
    those records written unmasked. One record outside that right masks the whole sheet."""
    model = qs.model
    if not has_anywhere(user, model, action):
        return False
    allowed = model.objects.restrict(user, action, deleted=True).values("pk")
    return not qs.exclude(pk__in=allowed).exists()


def _require_recorder() -> None:
    if not exported.has_listeners():
        raise ImproperlyConfigured("no receiver records exports: is yinling.audit in INSTALLED_APPS?")


@dataclass(frozen=True)
class Export:
    """One spreadsheet export: its file, its columns, and what its audit record says of it."""

    filename: str
    headers: Sequence[str]
    object_type: str
    org_path: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sheet_title: str = "Sheet1"
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, target: IO[bytes], rows: Iterable[Sequence[Any]]) -> int:
        """Write the sheet to `target`; the rows written. Refuses before writing when nothing would record it."""
        _require_recorder()
        return write_xlsx(target, self.headers, rows, self.sheet_title)

    def record(self, *, sender: Any, rows: int, **extra: Any) -> None:
        """The audit record of the export: call it once the file is handed out (never for a discarded one)."""
        _require_recorder()
        exported.send(
            sender=sender,
            object_type=self.object_type,
            object_repr=self.filename,
            org_path=self.org_path,
            extra={"rows": rows, "filters": self.filters, "format": "xlsx", **self.extra, **extra},
        )

    def response(self, rows: Iterable[Sequence[Any]], *, sender: Any = None) -> FileResponse:
        """Within a request: write the rows to a temporary file (bounded memory), record the export, stream it."""
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        count = self.write(tmp, rows)
        tmp.seek(0)
        self.record(sender=sender or xlsx_response, rows=count)
        return FileResponse(tmp, as_attachment=True, filename=self.filename, content_type=XLSX_CONTENT_TYPE)


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
    export = Export(
        filename,
        headers,
        object_type,
        org_path=org_path,
        filters=filters or {},
        sheet_title=sheet_title,
        extra=extra or {},
    )
    return export.response(rows)

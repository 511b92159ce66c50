"""Large registry exports (above EXPORT_INLINE_MAX_ROWS) as background jobs.

The list page hands its filters to a job; the worker rebuilds the same queryset in the user's
export scope, writes the template's columns with the export's own streaming writer to a private
result file, and records the export in the audit trail as the inline export does (the shared
`core.exports.Export`, acting as the user) once the job is done: a cancelled or failed export hands
out no file and leaves no record of one. Each download of the file is audited again by the jobs
app. Exact searches by ID number were checked and audited by the page that started the job, so
the worker does not count them against the user a second time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.crypto import decrypt, encrypt
from yinling.core.exports import Export, may_unmask
from yinling.core.scoping import has_anywhere
from yinling.jobs.runners import JobContext, JobFailed, JobKind, register_kind
from yinling.registry.exports import HEADERS, iter_rows
from yinling.registry.filters import RetireeFilterSet, masked_query
from yinling.registry.models import Retiree

KIND = "registry.export"
FILE_NAME = "retirees.xlsx"
SHEET = "离退休干部"


def audit_filters(query: dict[str, Any]) -> dict[str, Any]:
    filters = {k: v for k, v in query.items() if k not in ("export", "page")}
    if "q" in filters:  # a search by ID number or phone must not put the number in the audit trail
        filters["q"] = masked_query(str(filters["q"]))
    return filters


def job_params(get: QueryDict) -> dict[str, Any]:
    """The list's filters for the job: sealed, since a search may be a whole ID number or phone (the
    job row is not encrypted like the registry's columns); the audit trail's copy masked as inline."""
    query = {k: v for k, v in get.lists() if k not in ("export", "page")}
    return {
        "query": encrypt(json.dumps(query, ensure_ascii=False)),
        "filters": audit_filters({k: v[-1] for k, v in query.items() if v}),
    }


def export_queryset(user: Any, query: QueryDict) -> QuerySet[Retiree]:
    base = Retiree.objects.restrict(user, "export").filter(is_deleted=False)
    filterset = RetireeFilterSet(query, queryset=base, request=None)
    return filterset.filter_queryset(base) if filterset.is_valid() else base.none()


def covers(user: Any, action: str, qs: QuerySet[Retiree]) -> bool:
    """Whether the user holds `action` on every record of qs (core.exports.may_unmask)."""
    return may_unmask(user, qs, action)


def retiree_export(filters: dict[str, Any], **extra: Any) -> Export:
    """The registry's export, inline or by a job: the template's columns, audited with the masked filters."""
    return Export(FILE_NAME, HEADERS, "registry.retiree", filters=filters, sheet_title=SHEET, extra=extra)


def run_job(ctx: JobContext) -> dict[str, Any]:
    user = ctx.job.user
    if user is None or not user.is_active or not has_anywhere(user, Retiree, "export"):
        raise JobFailed(_("You may no longer export retirees."))
    query = QueryDict(mutable=True)
    for key, values in json.loads(decrypt(ctx.params["query"])).items():
        query.setlist(key, values)
    qs = export_queryset(user, query)
    reveal = covers(user, "view_sensitive", qs)
    total = qs.count()
    message = _("Writing the rows")
    ctx.progress(0, total, message)

    def rows() -> Iterator[list[Any]]:
        for i, row in enumerate(iter_rows(qs, reveal), 1):
            if i % 2000 == 0:
                ctx.progress(i, max(total, i), message)  # raises Cancelled if cancelled meanwhile
            yield row

    export = retiree_export(ctx.params.get("filters", {}), unmasked=reveal, job=ctx.job.pk)
    with ctx.open_file(FILE_NAME) as fh:
        count = export.write(fh, rows())
    ctx.progress(count, count, _("Written"))  # the last report: a cancel up to here discards the file
    ctx.on_done(lambda: export.record(sender=run_job, rows=count))
    return {"rows": count, "unmasked": reveal}


def register() -> None:
    register_kind(JobKind(KIND, gettext_lazy("Export retirees"), run_job))

"""The monthly report's spreadsheet (月报) as a background job.

A province's report reads the whole ledger of the month; the page itself stays a handful of
aggregate queries, but the download is written by a worker to a private result file, audited
as the inline download was (core.exports.Export, acting as the user who asked) once the job is done: a
cancelled or failed report hands out no file and leaves no record of one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.exports import Export
from yinling.core.scoping import can_at
from yinling.jobs.runners import JobContext, JobFailed, JobKind, register_kind
from yinling.orgs.models import Org
from yinling.timebank import reports
from yinling.timebank.models import Account

KIND = "timebank.monthly_report"


def file_name(org: Org, month: dt.date) -> str:
    return f"timebank-report-{org.code}-{month:%Y-%m}.xlsx"


def run_job(ctx: JobContext) -> dict[str, Any]:
    user = ctx.job.user
    org = Org.objects.unrestricted().filter(code=ctx.params.get("org", "")).first()
    if user is None or not user.is_active or org is None or not can_at(user, Account, "export", org):
        raise JobFailed(_("You may no longer export this report."))
    month = dt.date.fromisoformat(ctx.params["month"])
    ctx.progress(0, 1, _("Adding up the month"))
    rows = reports.monthly(user, org, month)
    name = file_name(org, month)
    export = Export(
        name,
        reports.HEADERS,
        "timebank.report",
        org_path=org.path,
        filters={"org": org.code, "month": f"{month:%Y-%m}"},
        sheet_title=f"时间银行月报 {month:%Y-%m}",
        extra={"job": ctx.job.pk},
    )
    with ctx.open_file(name) as fh:
        count = export.write(fh, (row.cells() for row in rows))
    ctx.progress(1, 1, _("Written"))  # the last report: a cancel up to here discards the file
    ctx.on_done(lambda: export.record(sender=run_job, rows=count))
    return {"org": org.code, "month": f"{month:%Y-%m}", "rows": count}


def register() -> None:
    register_kind(JobKind(KIND, gettext_lazy("Time bank monthly report"), run_job))

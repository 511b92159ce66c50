"""The import as a background job, and the one code path the command and the job share.

`run_import` is what `manage.py import_retirees` runs and prints; the job kind "registry.import"
runs the same function on the uploaded file, so the job's result is exactly the command's JSON
summary, and its files hold the error report. A check (dry run) can be cancelled between
chunks; an apply marks the job as applying just before its one transaction opens, so the import
stays all-or-nothing and cancelling it from then on is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.scoping import has_anywhere, orgs_where
from yinling.core.sheets.size import estimate_rows
from yinling.jobs.runners import JobContext, JobFailed, JobKind, register_kind
from yinling.jobs.services import input_path
from yinling.orgs.models import Org
from yinling.registry.imports import Importer, ImportResult, UnreadableFile, auto_workers, write_report
from yinling.registry.models import Retiree

KIND = "registry.import"
REPORT_NAME = "导入未通过的行.xlsx"


def unreadable_summary(message: str) -> dict[str, Any]:
    return {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [{"row": 0, "column": "", "message": message}],
    }


def run_import(
    user: Any,
    org: Org | None,
    path: Path,
    name: str,
    *,
    dry_run: bool,
    workers: int | None = None,
    source: str = "command",
    progress: Callable[[int], None] | None = None,
    before_apply: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], ImportResult | None]:
    """Check (and unless dry_run, apply) the file as `user`: (the JSON summary, the result or None if unreadable)."""
    try:
        if not path.is_file():
            raise UnreadableFile(f"文件不存在：{path}")
        importer = Importer(user, org, source=source, workers=auto_workers(path) if workers is None else workers)
        importer.progress = progress
        importer.before_apply = before_apply
        result = importer.run(path, name, apply=not dry_run)
    except UnreadableFile as exc:
        return unreadable_summary(str(exc)), None
    return result.summary(), result


def run_job(ctx: JobContext) -> dict[str, Any]:
    job = ctx.job
    user = job.user
    if user is None or not user.is_active or not has_anywhere(user, Retiree, "import"):
        raise JobFailed(_("You may no longer import retirees."))
    code = ctx.params.get("org") or ""
    org = orgs_where(user, Retiree, "import").filter(code=code).first() if code else None
    if code and org is None:
        raise JobFailed(_("You may not import into the org %(code)s.") % {"code": code})
    dry_run = bool(ctx.params.get("dry_run"))
    path = input_path(job)
    total = estimate_rows(path)
    message = _("Checking the rows") if dry_run else _("Checking and saving the rows")
    ctx.progress(0, total, message)

    def progress(read: int) -> None:
        ctx.progress(read, max(total, read), message)

    summary, result = run_import(
        user,
        org,
        path,
        ctx.params.get("name") or path.name,
        dry_run=dry_run,
        workers=ctx.params.get("workers"),
        source=ctx.params.get("source", "web"),
        progress=progress,
        before_apply=None if dry_run else ctx.applying,
    )
    if result is None:
        raise JobFailed(summary["errors"][0]["message"], summary)
    if result.rejected_rows:
        with ctx.open_file(REPORT_NAME) as fh:
            write_report(result, fh)
    ctx.progress(result.rows, result.rows, _("Checked") if dry_run else _("Saved"))
    return summary


def register() -> None:
    register_kind(
        JobKind(KIND, gettext_lazy("Import retirees"), run_job, result_template="registry/_import_job_result.html")
    )

"""Periodic work recorded as jobs: `manage.py run_periodic NAME` (from cron or a systemd timer).

Each run is a Job of kind "periodic:NAME", owned by the system (no user) at the root org, so a
failed nightly verification is a failed job the security administrator sees on the jobs page
(`jobs.monitor_job`). The schedule itself is cron's or systemd's (docs/operations.md); nothing
here loops or sleeps. Only the commands named here can run this way.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.jobs.models import PERIODIC_PREFIX
from yinling.jobs.runners import JobContext, JobFailed, JobKind

PERIODIC_COMMANDS: dict[str, Any] = {
    "expire_timebank_requests": gettext_lazy("Expire time bank needs"),
    "verify_timebank": gettext_lazy("Verify the time bank ledger"),
    "verify_audit": gettext_lazy("Verify the audit trail"),
    "anchor_audit": gettext_lazy("Anchor the audit trail"),
    "purge_job_files": gettext_lazy("Delete expired job files"),
    "prune_db_task_results": gettext_lazy("Prune finished queue entries"),
}
OUTPUT_CHARS = 4000


def run_command(ctx: JobContext) -> dict[str, Any]:
    name = ctx.job.kind.removeprefix(PERIODIC_PREFIX)
    out = io.StringIO()
    ctx.progress(0, 1, _("Running"))
    try:
        call_command(name, stdout=out, stderr=out)
    except CommandError as exc:
        raise JobFailed(str(exc), {"output": out.getvalue()[-OUTPUT_CHARS:]}) from exc
    except SystemExit as exc:
        if exc.code:
            raise JobFailed(
                _("The command ended with exit status %(code)s.") % {"code": exc.code},
                {"output": out.getvalue()[-OUTPUT_CHARS:]},
            ) from exc
    return {"output": out.getvalue()[-OUTPUT_CHARS:]}


def periodic_kind(code: str) -> JobKind | None:
    name = code.removeprefix(PERIODIC_PREFIX)
    if not code.startswith(PERIODIC_PREFIX) or name not in PERIODIC_COMMANDS:
        return None
    return JobKind(code, PERIODIC_COMMANDS[name], run_command)

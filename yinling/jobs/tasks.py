"""The one django-tasks task: load the job, mark it running, call its kind's runner, record the end.

Only the standard API is used (`@task`, `.enqueue()`), so moving to Django 6's built-in tasks is
an import change. The queue entry carries only the job's id; everything else is on the row.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from django_tasks import task

from yinling.audit.context import acting
from yinling.jobs.models import Job, JobFile
from yinling.jobs.runners import Cancelled, JobContext, JobFailed, files_dir, kind_of

logger = logging.getLogger(__name__)
SYSTEM_ERROR = gettext_lazy("The job stopped because of an error in the system. It has been logged; try again later.")


def enqueue(job: Job) -> None:
    kind = kind_of(job.kind)
    queue = kind.queue if kind else "default"
    run_job.using(queue_name=queue).enqueue(job.pk)


@task(queue_name="default")
def run_job(job_id: int) -> str:
    return execute(job_id)


def execute(job_id: int) -> str:
    """Run one job to its end; returns its final status (also the task's return value)."""
    from yinling.jobs.services import _on_finished

    now = timezone.now()
    claimed = (
        Job.objects.unrestricted()
        .filter(pk=job_id, status=Job.Status.QUEUED)
        .update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
    )
    if not claimed:
        return "skipped"  # cancelled while queued, or run already
    job = Job.objects.unrestricted().select_related("user", "org").get(pk=job_id)
    kind = kind_of(job.kind)
    ctx = JobContext(job)
    fields: dict[str, Any] = {}
    try:
        if kind is None:
            raise JobFailed(_("This kind of job is no longer supported."))
        # The person's language for messages and sheet texts: the site's default, Chinese.
        with override("zh-hans"), acting(user=job.user):
            result = kind.run(ctx)
        fields = {"status": Job.Status.DONE, "result": result, "done": max(job.done, job.total)}
    except Cancelled:
        fields = {"status": Job.Status.CANCELLED, "message": str(_("Cancelled"))}
    except JobFailed as exc:
        fields = {"status": Job.Status.FAILED, "error": exc.message, "result": exc.result}
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        fields = {"status": Job.Status.FAILED, "error": str(SYSTEM_ERROR)}
    finally:
        ctx.close()
    if fields["status"] == Job.Status.DONE:
        try:
            # The end, the files and what waited for it (an export's audit record) commit together. A job that
            # only checked and has nothing but those to hand out (it wrote nothing: runners call applying() first)
            # is still cancelled by a cancel that came after its last report: the update is conditional on the row.
            # (Periodic commands write without applying(): having no files, they end done as they did.)
            discardable = job.phase == Job.Phase.CHECKING and bool(ctx.files or ctx.done_callbacks)
            with transaction.atomic():
                if not _finish(job, fields, unless_cancelled=discardable):
                    raise Cancelled
                JobFile.objects.bulk_create(
                    [JobFile(job=job, name=name, stored=stored, size=size) for name, stored, size in ctx.files]
                )
                with override("zh-hans"), acting(user=job.user):
                    for callback in ctx.done_callbacks:
                        callback()
        except Cancelled:
            fields = {"status": Job.Status.CANCELLED, "message": str(_("Cancelled")), "result": None}
        except Exception:
            logger.exception("job %s (%s) failed as it ended", job.pk, job.kind)
            fields = {"status": Job.Status.FAILED, "error": str(SYSTEM_ERROR), "result": None}
    if fields["status"] != Job.Status.DONE:
        for _name, stored, _size in ctx.files:
            (files_dir() / stored).unlink(missing_ok=True)
        _finish(job, fields)
    job.refresh_from_db()
    _on_finished(job)
    return str(job.status)


def _finish(job: Job, fields: dict[str, Any], *, unless_cancelled: bool = False) -> bool:
    """Record the job's end; False when `unless_cancelled` and a cancel was asked for meanwhile."""
    now = timezone.now()
    rows = Job.objects.unrestricted().filter(pk=job.pk)
    if unless_cancelled:
        rows = rows.filter(cancel_requested=False)
    changed = rows.update(
        **{**fields, "finished_at": now, "heartbeat_at": now, "message": fields.get("message", job.message)}
    )
    return bool(changed)

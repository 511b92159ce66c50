"""Starting, cancelling and cleaning up jobs: the actions pages, the API and commands share."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.core.scoping import can, grants_of, path_in, user_paths
from yinling.jobs.models import Job, JobFile
from yinling.jobs.runners import files_dir, job_dir, kind_of, progress_file, read_progress_file
from yinling.orgs.models import Org

logger = logging.getLogger(__name__)

STALE_MESSAGE = gettext_lazy(
    "The worker running this job stopped (the server restarted or the process ended). Nothing was half-saved: "
    "start the job again."
)


def do_start(
    *,
    by: Any,
    kind: str,
    org: Org,
    params: dict[str, Any] | None = None,
    label: str = "",
    inputs: Iterable[tuple[str, Iterable[bytes]]] = (),
) -> Job:
    """Record a job and put it on the queue. `inputs`: (file name, chunks) kept privately for the runner.

    The caller has checked that `by` may do the work itself (an import, an export); the job only
    carries it out.
    """
    from yinling.jobs.tasks import enqueue

    if kind_of(kind) is None:
        raise ValueError(f"unknown job kind {kind}")
    written: list[Path] = []
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, label=label[:200], user=by if getattr(by, "pk", None) else None, org=org, params=params or {}
            )
            stored: dict[str, str] = {}
            folder: Path | None = None
            for name, chunks in inputs:
                folder = folder or _fresh_dir(job.pk)
                path = folder / f"input{Path(name).suffix.lower()[:10]}"
                written.append(path)
                with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
                    for chunk in chunks:
                        fh.write(chunk)
                stored[name] = str(path.relative_to(files_dir()))
            if stored:
                job.params = {**job.params, "inputs": stored}
                job.save(update_fields=["params"])
            # The start is in the trail as its cancel is (the upload it keeps holds personal data); the
            # params stay out of it (an export's filters may hold a whole ID number, sealed in the row).
            record(AuditRecord.Action.CREATE, job, actor=by, extra={"event": "job_started", "kind": kind})
    except BaseException:
        # The row is rolled back: its upload (personal data) must not stay on disk without it. (A caller's
        # own transaction rolled back later leaves a folder without a row: purge_files() removes those.)
        _remove(written)
        raise
    # After the row is committed (or, inside a caller's transaction, in the same one as the
    # queue's own row): a worker never looks for a job that is not there yet.
    enqueue(job)
    job.refresh_from_db()
    return job


def _fresh_dir(job_id: int) -> Path:
    """The folder of a job just created in this transaction. Whatever it holds is a leftover of a rolled-back
    job that had the same number (SQLite hands a number out again after a rollback): not anyone's file."""
    folder = job_dir(job_id)
    for leftover in folder.iterdir():
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return folder


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the job's folder, if nothing else is in it


def may_cancel(user: Any, job: Job) -> bool:
    return bool(job.user_id and job.user_id == getattr(user, "pk", None)) or can(user, "change", job)


def cancellable(job: Job) -> bool:
    return job.status == Job.Status.QUEUED or (
        job.status == Job.Status.RUNNING and job.phase == Job.Phase.CHECKING and not job.cancel_requested
    )


def do_cancel(*, by: Any, job: Job) -> Job:
    """Cancel a queued job at once; ask a checking one to stop at its next chunk; refuse once it applies.

    Read first, write only when allowed: on SQLite an applying import holds the write lock, and a
    refusal must not wait for it.
    """
    if not may_cancel(by, job):
        raise PermissionDenied
    job.refresh_from_db()
    if job.finished:
        raise Refused("finished", _("This job has already finished."))
    if job.phase == Job.Phase.APPLYING:
        raise Refused("too_late", _("The job is already saving its changes and can no longer be cancelled."))
    now = timezone.now()
    with transaction.atomic():
        queued = (
            Job.objects.unrestricted()
            .filter(pk=job.pk, status=Job.Status.QUEUED)
            .update(status=Job.Status.CANCELLED, cancel_requested=True, finished_at=now)
        )
        if not queued:
            # Running: the conditional update loses cleanly to the runner's applying() (same row).
            asked = (
                Job.objects.unrestricted()
                .filter(pk=job.pk, status=Job.Status.RUNNING, phase=Job.Phase.CHECKING)
                .update(cancel_requested=True)
            )
            if not asked:
                job.refresh_from_db()
                if job.finished:
                    raise Refused("finished", _("This job has already finished."))
                raise Refused("too_late", _("The job is already saving its changes and can no longer be cancelled."))
        record(AuditRecord.Action.UPDATE, job, extra={"cancelled": True})
    job.refresh_from_db()
    return job


def live(job: Job) -> Job:
    """The job with the progress a runner wrote beside its open transaction (SQLite), if newer."""
    if job.status != Job.Status.RUNNING:
        return job
    side = read_progress_file(job.pk)
    if side:
        beat = dt.datetime.fromisoformat(side["heartbeat_at"])
        if job.heartbeat_at is None or beat > job.heartbeat_at:
            job.done, job.total, job.message, job.heartbeat_at = side["done"], side["total"], side["message"], beat
    return job


def stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)


def is_stale(job: Job) -> bool:
    job = live(job)
    if job.status != Job.Status.RUNNING:
        return False
    beat = job.heartbeat_at or job.started_at
    return beat is not None and beat < stale_before()


def fail_stale(job: Job | None = None) -> int:
    """Mark running jobs whose worker stopped sending heartbeats as failed (all of them, or one)."""
    candidates = Job.objects.unrestricted().filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before())
    if job is not None:
        candidates = candidates.filter(pk=job.pk)
    count = 0
    for candidate in candidates:
        if not is_stale(candidate):
            continue  # its runner still reports, beside its transaction
        changed = (
            Job.objects.unrestricted()
            .filter(pk=candidate.pk, status=Job.Status.RUNNING, heartbeat_at=candidate.heartbeat_at)
            .update(status=Job.Status.FAILED, error=str(STALE_MESSAGE), finished_at=timezone.now())
        )
        if changed:
            count += 1
            progress_file(candidate.pk).unlink(missing_ok=True)  # the dead runner's side-channel progress
            logger.warning(
                "job %s (%s) marked failed: no heartbeat since %s", candidate.pk, candidate.kind, candidate.heartbeat_at
            )
            candidate.refresh_from_db()
            _on_finished(candidate)
    return count


def purge_files(now: dt.datetime | None = None) -> int:
    """Delete result files (and uploads) older than JOB_FILE_TTL_HOURS; the job keeps their names as expired."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.JOB_FILE_TTL_HOURS)
    count = 0
    for f in JobFile.objects.unrestricted().filter(expired=False, created_at__lt=cutoff):
        (files_dir() / f.stored).unlink(missing_ok=True)
        f.expired = True
        f.save(update_fields=["expired"])
        count += 1
    # Uploads the runners read: whole job folders of jobs that finished before the cutoff; and folders of
    # no job at all, older than the cutoff (written in a transaction that rolled back after do_start).
    old = Job.objects.unrestricted().filter(finished_at__lt=cutoff).values_list("pk", flat=True)
    root = files_dir()
    if root.is_dir():
        ids = {str(pk) for pk in old}
        folders = [f for f in root.iterdir() if f.is_dir() and f.name.isdigit()]
        numbers = [int(f.name) for f in folders]
        span = Job.objects.unrestricted().filter(pk__gte=min(numbers, default=0), pk__lte=max(numbers, default=0))
        known = {str(pk) for pk in span.values_list("pk", flat=True)}
        for folder in folders:
            if folder.name not in known:
                if dt.datetime.fromtimestamp(folder.stat().st_mtime, tz=dt.UTC) < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
                    logger.warning("job folder %s removed: no job has that number", folder.name)
                continue
            if folder.name in ids:
                for path in folder.iterdir():
                    if path.name.startswith("input"):
                        path.unlink(missing_ok=True)
                if not any(folder.iterdir()):
                    shutil.rmtree(folder, ignore_errors=True)
    return count


def input_path(job: Job, name: str | None = None) -> Path:
    inputs: dict[str, str] = job.params.get("inputs", {})
    stored = inputs[name] if name else next(iter(inputs.values()))
    return files_dir() / stored


def may_download(user: Any, job: Job) -> bool:
    """A result file holds what its starter's rights let the job write (an export for a bureau admin is
    unmasked; an import's report names rows of every org the starter covers, while the job is scoped to
    one org). So it goes to the starter, and to whoever holds every right the starter holds, everywhere
    the starter holds it (their bureau admin above them); never to a colleague with fewer rights."""
    if job.user_id is None:
        return False
    if job.user_id == getattr(user, "pk", None):
        return True
    theirs = grants_of(job.user)
    return bool(theirs) and all(path_in(path, user_paths(user, perm)) for path, perms in theirs for perm in perms)


def _on_finished(job: Job) -> None:
    """A job ended (done, failed or cancelled): the person who started it is told when it is done or
    failed (a cancel was their own doing), with the job's page as the link. The text names the job
    only, never its rows: it may travel by SMS or e-mail."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext

    from yinling.notifications.services import notify

    logger.info("job %s (%s) for user %s ended: %s", job.pk, job.kind, job.user_id, job.status)
    if job.user is None or job.status not in (Job.Status.DONE, Job.Status.FAILED):
        return
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the bureau's language
        if job.status == Job.Status.DONE:
            text = gettext("Your job “%(label)s” is done.") % {"label": job.label}
        else:
            text = gettext("Your job “%(label)s” could not finish. Its page says why.") % {"label": job.label}
    notify(job.user, f"job.{job.status}", text, reverse("jobs:detail", args=[job.pk]))

"""The kinds of job and what a runner sees while it works.

Apps register their kinds here (in AppConfig.ready), so jobs imports none of them: the registry
registers "registry.import", the time bank "timebank.monthly_report". A runner is a function
`run(ctx) -> result` (JSON-able, or None); it reports progress through `ctx.progress()`, which
also raises `Cancelled` when someone cancelled the job, calls `ctx.applying()` before it starts
to write (from then on cancelling is refused), and adds result files with `ctx.open_file()`.
What may only happen once the job is done (the audit record of an export: a file handed out) goes
to `ctx.on_done()`: it runs when the job is recorded done, in the same transaction, and never for a
job that is cancelled or fails after it.
A refusal in plain words is `JobFailed(message, result)`; any other exception is logged with its
traceback and shown to the person as a plain sentence.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise

if TYPE_CHECKING:
    from yinling.jobs.models import Job


class Cancelled(Exception):
    """Raised inside a runner at its next progress report after the job was cancelled."""


class JobFailed(Exception):
    """The work cannot be done, for a reason the person can read; `result` is kept (e.g. a summary)."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str | Promise
    run: Callable[[JobContext], Any]
    # Shown under the progress bar when the job is done (receives `job` and `result`).
    result_template: str = ""
    queue: str = "default"


KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    KINDS[kind.code] = kind


def kind_of(code: str) -> JobKind | None:
    from yinling.jobs.periodic import periodic_kind

    return KINDS.get(code) or periodic_kind(code)


def files_dir() -> Path:
    return Path(settings.JOB_FILES_DIR)


def job_dir(job_id: int) -> Path:
    path = files_dir() / str(job_id)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def progress_file(job_id: int) -> Path:
    return files_dir() / "progress" / f"{job_id}.json"


def read_progress_file(job_id: int) -> dict[str, Any] | None:
    try:
        return json.loads(progress_file(job_id).read_text())  # type: ignore[no-any-return]
    except (FileNotFoundError, ValueError):
        return None


class JobContext:
    """What a runner gets: the job's parameters, progress, the applying point, result files."""

    # At most this often a progress report reaches the database (a 1,000-row chunk takes less).
    MIN_INTERVAL = 0.2

    def __init__(self, job: Job) -> None:
        self.job = job
        self.params: dict[str, Any] = job.params
        self.files: list[tuple[str, str, int]] = []  # (name, stored path relative to files_dir, size)
        self.done_callbacks: list[Callable[[], None]] = []
        self._last = 0.0
        self._side: Any = None
        # A real worker starts outside any transaction; run at once (tests' immediate backend)
        # it runs inside the caller's, where the job row is not visible to another connection.
        self._base_depth = len(connection.atomic_blocks)

    # progress and cancellation

    def progress(self, done: int, total: int | None = None, message: str | Promise | None = None) -> None:
        """Record how far the work is (and the heartbeat); raise Cancelled if the job was cancelled."""
        job = self.job
        job.done = done
        if total is not None:
            job.total = total
        if message is not None:
            job.message = str(message)[:200]
        now = time.monotonic()
        if now - self._last < self.MIN_INTERVAL and (not job.total or done < job.total):
            return
        self._last = now
        self._write()

    def heartbeat(self) -> None:
        self._write()

    def applying(self) -> None:
        """From here on the work writes: cancelling is refused. Raises Cancelled if it came first."""
        from yinling.jobs.models import Job

        if self._in_own_transaction():
            raise RuntimeError("call applying() before the writing transaction starts")
        changed = (
            Job.objects.unrestricted()
            .filter(pk=self.job.pk, cancel_requested=False)
            .update(phase=Job.Phase.APPLYING, heartbeat_at=timezone.now())
        )
        if not changed:
            raise Cancelled
        self.job.phase = Job.Phase.APPLYING

    def _write(self) -> None:
        """Write progress where a poll can see it: the row, or beside the open transaction.

        Inside the runner's writing transaction an UPDATE of the job row would stay invisible
        until the commit. On PostgreSQL the report goes through a second connection; SQLite has
        one writer at a time, so it goes to a small file in JOB_FILES_DIR that the pages read.
        """
        from yinling.jobs.models import Job

        job = self.job
        now = timezone.now()
        fields = {"done": job.done, "total": job.total, "message": job.message, "heartbeat_at": now}
        if not self._in_own_transaction():
            rows = Job.objects.unrestricted().filter(pk=job.pk).update(**fields)
            if rows and job.phase == Job.Phase.CHECKING:
                self._check_cancelled()
            return
        if connection.vendor == "postgresql":
            if self._side is None:
                self._side = connection.copy()
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, message = %s, heartbeat_at = %s "  # noqa: S608
                    "WHERE id = %s",
                    [job.done, job.total, job.message, now, job.pk],
                )
            return
        target = progress_file(job.pk)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps({**fields, "heartbeat_at": now.isoformat()}))
        os.replace(tmp, target)

    def _in_own_transaction(self) -> bool:
        return self._base_depth == 0 and connection.in_atomic_block

    def _check_cancelled(self) -> None:
        from yinling.jobs.models import Job

        if Job.objects.unrestricted().filter(pk=self.job.pk, cancel_requested=True).exists():
            raise Cancelled

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        progress_file(self.job.pk).unlink(missing_ok=True)

    def on_done(self, callback: Callable[[], None]) -> None:
        """Run `callback` when the job is recorded done (with its result files, in that transaction, acting
        as its starter); not if it is cancelled or fails. If it raises, the job fails and keeps no file."""
        self.done_callbacks.append(callback)

    # result files

    @contextmanager
    def open_file(self, name: str) -> Iterator[IO[bytes]]:
        """A private file for the result, downloaded as `name`; kept if the block ends without error."""
        index = len(self.files) + 1
        suffix = Path(name).suffix.lower()[:10]
        stored = f"{self.job.pk}/result-{index}{suffix}"
        path = job_dir(self.job.pk) / f"result-{index}{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self.files.append((name, stored, path.stat().st_size))

"""The import job in a real `manage.py db_worker` process: run to completion, and killed with SIGKILL mid-apply.

PostgreSQL only: SQLite's test database lives in memory, where no second process can reach it
(benchmarks/job_import.py runs a real worker on an SQLite file). The worker gets the test
database, the same job-files folder and the database queue through its environment.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from yinling.audit.models import AuditRecord
from yinling.audit.services import verify_chain
from yinling.jobs.models import Job
from yinling.jobs.services import STALE_MESSAGE
from yinling.registry import idcard
from yinling.registry.models import Retiree
from yinling.registry.tests.test_import import BASIC_HEADERS
from yinling.registry.views_import import start_import_job
from yinling.testing.personas import make_personas

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.BASE_DIR)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notify"]}}


@pytest.fixture(autouse=True)
def _postgres_only(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: a worker process cannot reach SQLite's in-memory test database "
            "(run with DATABASE_URL=postgres://…; CI does)"
        )
    settings.TASKS = DATABASE_QUEUE  # enqueue() writes to the queue table; no immediate run


def sheet(path: Path, count: int) -> Path:
    """`count` valid people as a UTF-8 CSV (distinct ID numbers: 500 per birth date)."""
    lines = [",".join(BASIC_HEADERS)]
    for i in range(count):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=i // 500)
        number = idcard.make("330106", birth, 2 * (i % 500) + 1, "M")
        lines.append(f"330106,张{i},{number},退休,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",  # the same development keys under var/ as this process
        "TASKS_BACKEND": "database",
        "JOB_FILES_DIR": str(settings.JOB_FILES_DIR),
        "DJANGO_SETTINGS_MODULE": "yinling.settings",
    }


def worker(*extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-startup-delay", "--no-reload", *extra],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill reaches the row-check processes too
    )


def start(owner: Any, path: Path) -> Job:
    with path.open("rb") as fh:
        job = start_import_job(owner, path.name, iter(lambda: fh.read(1 << 20), b""), None, dry_run=False)
    assert job.status == Job.Status.QUEUED  # on the queue, waiting for a worker
    return job


def test_it_runs_an_import_job_to_completion_in_a_real_worker(tmp_path: Path) -> None:
    p = make_personas()
    job = start(p.owner, sheet(tmp_path / "people.csv", 2000))
    proc = worker("--batch")
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out[-3000:]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.error, out[-3000:])
    assert job.result == {"created": 2000, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    assert (job.done, job.total) == (2000, 2000)
    assert Retiree.objects.unrestricted().count() == 2000


def test_it_loses_nothing_when_the_worker_is_killed_mid_import(tmp_path: Path, settings: Any) -> None:
    p = make_personas()
    path = sheet(tmp_path / "people.csv", 30_000)
    job = start(p.owner, path)
    proc = worker()
    try:
        deadline = time.monotonic() + 240
        while True:  # until the import is inside its transaction, with rows written
            job.refresh_from_db()
            if job.phase == Job.Phase.APPLYING and job.done >= 5000:
                break
            assert job.status in (Job.Status.QUEUED, Job.Status.RUNNING), job.error
            assert time.monotonic() < deadline, "the worker never got into the import"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert job.status == Job.Status.RUNNING and 0 < job.done < 30_000  # progress showed through mid-transaction
    # All or nothing: the killed connection's transaction rolled back.
    assert Retiree.objects.unrestricted().count() == 0
    assert not AuditRecord.objects.unrestricted().filter(object_type="registry.import").exists()
    # It does not stay "running" for ever: the hourly sweep (and the page) ends it with a plain message.
    settings.JOB_STALE_SECONDS = 1
    time.sleep(1.5)
    call_command("purge_job_files")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == str(STALE_MESSAGE)
    # A rerun applies cleanly.
    again = start(p.owner, path)
    rerun = worker("--batch")
    out, _ = rerun.communicate(timeout=600)
    again.refresh_from_db()
    assert again.status == Job.Status.DONE, (again.error, out[-3000:])
    assert again.result["created"] == 30_000 and again.result["rejected"] == 0  # type: ignore[index]
    assert Retiree.objects.unrestricted().count() == 30_000
    assert verify_chain().ok

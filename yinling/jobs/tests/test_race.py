"""Cancel against the runner's applying(): on PostgreSQL, with both at once, exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from yinling.core.refusals import Refused
from yinling.jobs import services
from yinling.jobs.models import Job
from yinling.jobs.runners import Cancelled, JobContext
from yinling.testing.personas import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]



def test_it_lets_exactly_one_of_cancel_and_applying_win() -> None:
    cast = make_cast()
    outcomes: list[tuple[str, str]] = []
    for _ in range(25):
        job = Job.objects.create(kind="registry.import", user=cast.clerk, org=cast.clerk.org, status=Job.Status.RUNNING)
        barrier = threading.Barrier(2)
        result: dict[str, str] = {}

        def cancel(job_id: int = job.pk, out: dict[str, str] = result) -> None:
            try:
                barrier.wait()
                services.do_cancel(by=cast.clerk, job=Job.objects.unrestricted().get(pk=job_id))
                out["cancel"] = "ok"
            except Refused as exc:
                out["cancel"] = exc.code
            finally:
                connections.close_all()

        def apply(job_id: int = job.pk, out: dict[str, str] = result) -> None:
            try:
                ctx = JobContext(Job.objects.unrestricted().get(pk=job_id))
                barrier.wait()
                ctx.applying()
                out["apply"] = "ok"
            except Cancelled:
                out["apply"] = "cancelled"
            finally:
                connections.close_all()

        threads = [threading.Thread(target=cancel), threading.Thread(target=apply)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        job.refresh_from_db()
        outcomes.append((result["cancel"], result["apply"]))
        if result["apply"] == "ok":
            assert result["cancel"] == "too_late" and job.phase == Job.Phase.APPLYING and not job.cancel_requested
        else:
            assert result == {"cancel": "ok", "apply": "cancelled"} and job.phase == Job.Phase.CHECKING
            assert job.cancel_requested
    assert set(outcomes) <= {("too_late", "ok"), ("ok", "cancelled")}

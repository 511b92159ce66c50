"""run_periodic: each run recorded as a system job at the root; a failure is visible to the security admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yinling.jobs.models import Job
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def test_it_records_a_periodic_run_as_a_system_job(cast: Cast) -> None:
    call_command("run_periodic", "purge_job_files")
    job = Job.objects.get()
    assert job.kind == "periodic:purge_job_files" and job.user is None
    assert job.label == "删除过期的任务文件"  # in the site's language, as the pages show it
    assert job.org == cast.tree.province and job.status == Job.Status.DONE
    assert "file(s) deleted" in job.result["output"]  # type: ignore[index]


def test_it_shows_a_failed_periodic_job_to_the_security_admin(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str, **kwargs: Any) -> None:
        kwargs["stdout"].write("checking 12 records\n")
        raise CommandError("audit chain BROKEN: 1 problem(s)")

    monkeypatch.setattr("yinling.jobs.periodic.call_command", broken)
    with pytest.raises(SystemExit) as exit_:
        call_command("run_periodic", "verify_audit", "--now")
    assert exit_.value.code == 1  # cron mails the failure too
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.error == "audit chain BROKEN: 1 problem(s)"
    assert "checking 12 records" in job.result["output"]  # type: ignore[index]
    security = login_client(cast.security_admin)
    listing = security.get("/jobs/?show=failed").content.decode()
    assert f"/jobs/{job.pk}/" in listing
    page = security.get(f"/jobs/{job.pk}/").content.decode()
    assert "audit chain BROKEN" in page and "checking 12 records" in page
    for persona in ("clerk", "bureau_admin", "audit_admin", "system_admin", "outsider", "retiree"):
        assert login_client(cast.user(persona)).get(f"/jobs/{job.pk}/").status_code == 404, persona


def test_it_hides_ordinary_jobs_from_the_security_admin(cast: Cast) -> None:
    job = Job.objects.create(kind="registry.import", user=cast.clerk, org=cast.tree.county_a)
    assert login_client(cast.security_admin).get(f"/jobs/{job.pk}/").status_code == 404


def test_it_runs_only_the_named_commands() -> None:
    with pytest.raises(CommandError):
        call_command("run_periodic", "flush")

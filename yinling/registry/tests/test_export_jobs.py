"""Registry exports above EXPORT_INLINE_MAX_ROWS run as jobs: same rows, same masking, audited as today."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from yinling.audit.models import AuditRecord
from yinling.jobs.models import Job
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db


def sheet_names(response: Any) -> list[str]:
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [str(row[1]) for row in wb.active.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def people(cast: Cast) -> None:
    make_retiree_record(cast.tree.county_a, "赵一", "13900000001", 101)
    make_retiree_record(cast.tree.county_b, "钱二", "13900000002", 102)  # another city


def test_it_exports_a_large_list_through_a_job(cast: Cast, people: None, settings: Any) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 1
    client = login_client(cast.bureau_admin)
    confirm = client.get("/registry/?export=xlsx&status=all")  # a GET never writes: a page with a button
    assert confirm.status_code == 200 and not Job.objects.exists()
    assert 'method="post" action="/registry/?export=xlsx&amp;status=all"' in confirm.content.decode()
    response = client.post("/registry/?export=xlsx&status=all")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "registry.export" and job.status == Job.Status.DONE
    assert job.result == {"rows": 3, "unmasked": True}  # the cast's two retirees and 赵一, not 钱二
    audit = AuditRecord.objects.unrestricted().get(action=AuditRecord.Action.EXPORT, object_type="registry.retiree")
    assert audit.actor_username == cast.bureau_admin.username
    assert audit.extra["rows"] == 3 and audit.extra["job"] == job.pk and audit.extra["filters"] == {"status": "all"}
    download = client.get(f"/jobs/{job.pk}/files/{job.files.get().pk}/")
    names = sheet_names(download)
    assert "赵一" in names and "钱二" not in names
    assert AuditRecord.objects.unrestricted().filter(object_type="jobs.jobfile").count() == 1


def test_it_keeps_small_exports_inline(cast: Cast, people: None) -> None:
    response = login_client(cast.bureau_admin).get("/registry/?export=xlsx")
    assert response.status_code == 200 and "赵一" in sheet_names(response)
    assert not Job.objects.exists()


def test_it_masks_a_clerks_export_job_as_inline(cast: Cast, people: None, settings: Any) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 0
    login_client(cast.clerk).post("/registry/?export=xlsx")
    job = Job.objects.get()
    assert job.result["unmasked"] is False  # type: ignore[index]
    assert login_client(cast.leader).get("/registry/?export=xlsx").status_code == 403
    assert login_client(cast.leader).post("/registry/?export=xlsx").status_code == 403


def test_it_keeps_an_id_number_search_out_of_the_job_row_and_the_trail(cast: Cast, people: None, settings: Any) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 0
    number = cast.retiree_record.id_number
    login_client(cast.bureau_admin).post(f"/registry/?export=xlsx&q={number}")
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.result["rows"] == 1  # type: ignore[index]
    assert number not in str(job.params)  # sealed
    audit = AuditRecord.objects.unrestricted().get(action=AuditRecord.Action.EXPORT, object_type="registry.retiree")
    assert number not in str(audit.extra) and audit.extra["filters"]["q"].endswith(number[-4:])


def test_it_refuses_a_post_that_is_not_the_exports(cast: Cast) -> None:
    assert login_client(cast.bureau_admin).post("/registry/?status=all").status_code == 405


def test_it_starts_no_job_without_the_csrf_token(cast: Cast, people: None, settings: Any) -> None:
    from django.test import Client

    settings.EXPORT_INLINE_MAX_ROWS = 1
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bureau_admin)
    assert client.post("/registry/?export=xlsx").status_code == 403
    assert not Job.objects.exists()


def _exports() -> int:
    return AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).count()


def test_it_records_no_export_for_a_job_cancelled_at_its_last_step(
    cast: Cast, people: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancel that arrives while the file is being finished: the file is thrown away, and the trail holds no
    "exported 3 rows" for a file nobody got (the job's start and cancel are in it)."""
    from yinling.jobs import services
    from yinling.jobs.runners import JobContext, files_dir

    settings.EXPORT_INLINE_MAX_ROWS = 1
    progress = JobContext.progress

    def cancel_at_the_end(ctx: JobContext, done: int, total: int | None = None, message: Any = None) -> None:
        if done and done == total:  # the last report, after the sheet is written
            services.do_cancel(by=cast.bureau_admin, job=Job.objects.unrestricted().get(pk=ctx.job.pk))
        progress(ctx, done, total, message)

    monkeypatch.setattr(JobContext, "progress", cancel_at_the_end)
    login_client(cast.bureau_admin).post("/registry/?export=xlsx&status=all")
    job = Job.objects.get()
    assert job.status == Job.Status.CANCELLED and not job.files.exists()
    assert not list(files_dir().glob(f"{job.pk}/result-*"))
    assert _exports() == 0


def test_it_records_no_export_when_the_job_fails_as_it_ends(
    cast: Cast, people: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yinling.jobs.models import JobFile
    from yinling.jobs.runners import files_dir

    settings.EXPORT_INLINE_MAX_ROWS = 1

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(JobFile.objects, "bulk_create", broken)
    login_client(cast.bureau_admin).post("/registry/?export=xlsx&status=all")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "disk full" not in job.error
    assert not list(files_dir().glob(f"{job.pk}/result-*"))
    assert _exports() == 0
    monkeypatch.undo()
    login_client(cast.bureau_admin).post("/registry/?export=xlsx&status=all")  # and when it works: one record
    assert Job.objects.filter(status=Job.Status.DONE).count() == 1 and _exports() == 1

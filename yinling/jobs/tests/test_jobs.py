"""The job lifecycle, cancellation, scope, result files and their expiry, the API contract, stale jobs."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from yinling.audit.models import AuditRecord
from yinling.core.refusals import Refused
from yinling.jobs import services
from yinling.jobs.models import Job
from yinling.jobs.runners import JobContext, files_dir
from yinling.jobs.tasks import execute
from yinling.jobs.tests.conftest import HOOKS
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def start(cast: Cast, user: Any = None, **params: Any) -> Job:
    by = user or cast.clerk
    return services.do_start(by=by, kind="test.count", org=by.org, params=params, label="计数")


def queued(cast: Cast, user: Any = None, **params: Any) -> Job:
    """A job on the queue that no worker has taken yet."""
    by = user or cast.clerk
    return Job.objects.create(kind="test.count", label="计数", user=by, org=by.org, params=params)


def test_it_runs_a_job_to_done_with_progress_result_and_file(cast: Cast) -> None:
    job = start(cast, chunks=4)
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (4, 4)
    assert job.result == {"counted": 4}
    assert job.started_at and job.finished_at and job.error == ""
    (f,) = job.files.all()
    assert f.name == "结果.txt"
    path = files_dir() / f.stored
    assert path.read_bytes() == b"personal data"
    assert path.stat().st_mode & 0o077 == 0  # readable by the application only


def test_it_shows_a_plain_failure_and_keeps_its_result(cast: Cast) -> None:
    job = start(cast, fail="plain")
    assert job.status == Job.Status.FAILED
    assert job.error == "The sheet has no rows."
    assert job.result == {"rows": 0}
    assert not job.files.exists()
    assert not any(files_dir().glob(f"{job.pk}/result-*"))


def test_it_logs_a_crash_and_tells_the_person_in_plain_words(cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="yinling.jobs.tasks"):
        job = start(cast, fail="crash")
    assert job.status == Job.Status.FAILED
    assert "secret" not in job.error and "Traceback" not in job.error
    assert job.error
    assert "secret internals" in caplog.text  # the traceback went to the log
    page = login_client(cast.clerk).get(f"/jobs/{job.pk}/").content.decode()
    assert "secret internals" not in page and job.error in page


def test_it_cancels_a_queued_job_and_the_worker_skips_it(cast: Cast) -> None:
    job = queued(cast)
    response = login_client(cast.clerk).post(f"/jobs/{job.pk}/cancel/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert execute(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.started_at is None
    assert AuditRecord.objects.unrestricted().filter(object_type="jobs.job", object_id=str(job.pk)).exists()


def test_it_stops_a_checking_job_at_its_next_chunk(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JobContext, "MIN_INTERVAL", 0)  # every report reaches the row

    def cancel_at_two(ctx: JobContext, i: int) -> None:
        if i == 2:  # another request cancels while the job checks
            services.do_cancel(by=cast.clerk, job=Job.objects.unrestricted().get(pk=ctx.job.pk))

    HOOKS["chunk"] = cancel_at_two
    job = start(cast, chunks=10)
    assert job.status == Job.Status.CANCELLED
    assert job.done == 3  # stopped at the first report after the cancel
    assert job.result is None and not job.files.exists()


def test_it_refuses_to_cancel_once_applying_on_page_and_api(cast: Cast) -> None:
    job = queued(cast)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, phase=Job.Phase.APPLYING)
    client = login_client(cast.clerk)
    response = client.post(f"/api/v1/jobs/{job.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["error"] == "too_late"
    page = client.post(f"/jobs/{job.pk}/cancel/", follow=True).content.decode()
    assert "can no longer be cancelled" in page or "无法取消" in page
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and not job.cancel_requested
    assert 'id="job-cancel"' not in client.get(f"/jobs/{job.pk}/").content.decode()


def test_it_refuses_applying_after_a_cancel_came_first(cast: Cast) -> None:
    def cancel_then_apply(ctx: JobContext, i: int) -> None:
        if i == 0:
            services.do_cancel(by=cast.clerk, job=Job.objects.unrestricted().get(pk=ctx.job.pk))

    HOOKS["chunk"] = cancel_then_apply
    job = start(cast, chunks=3, apply_at=1)  # the runner reaches applying() after the cancel
    assert job.status == Job.Status.CANCELLED
    assert job.phase == Job.Phase.CHECKING


def test_it_refuses_to_cancel_a_finished_job(cast: Cast) -> None:
    job = start(cast)
    with pytest.raises(Refused) as exc:
        services.do_cancel(by=cast.clerk, job=job)
    assert exc.value.code == "finished"
    assert login_client(cast.clerk).post(f"/api/v1/jobs/{job.pk}/cancel/").status_code == 409


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("clerk", True),  # started it
        ("bureau_admin", True),  # staff of the subtree above
        ("leader", False),  # reads the registry masked: not others' result files
        ("outsider", False),  # another city
        ("norole", False),
        ("security_admin", False),  # sees periodic jobs only
        ("audit_admin", False),
        ("system_admin", False),
        ("retiree", False),
        ("family", False),
    ],
)
def test_it_shows_a_job_and_its_file_only_within_scope(cast: Cast, persona: str, sees: bool) -> None:
    job = start(cast)
    f = job.files.get()
    client = login_client(cast.user(persona))
    urls = [f"/jobs/{job.pk}/", f"/jobs/{job.pk}/progress/", f"/jobs/{job.pk}/files/{f.pk}/", f"/api/v1/jobs/{job.pk}/"]
    for url in urls:
        assert client.get(url).status_code == (200 if sees else 404), url
    listed = client.get("/api/v1/jobs/").json()
    ids = [j["id"] for j in listed["results"]] if isinstance(listed, dict) else [j["id"] for j in listed]
    assert (job.pk in ids) == sees
    assert ("计数" in client.get("/jobs/").content.decode()) == sees


def test_it_shows_a_retiree_their_own_jobs_only(cast: Cast) -> None:
    own = start(cast, user=cast.retiree)
    theirs = start(cast, user=cast.family)
    client = login_client(cast.retiree)
    assert client.get(f"/jobs/{own.pk}/").status_code == 200
    assert client.get(f"/jobs/{theirs.pk}/").status_code == 404
    assert [j["id"] for j in client.get("/api/v1/jobs/").json()["results"]] == [own.pk]


def test_it_audits_each_download_and_sends_no_store(cast: Cast) -> None:
    job = start(cast)
    f = job.files.get()
    client = login_client(cast.bureau_admin)
    for _ in range(2):
        response = client.get(f"/jobs/{job.pk}/files/{f.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"personal data"  # type: ignore[attr-defined]
        assert "no-store" in response["Cache-Control"]
    records = AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT, object_type="jobs.jobfile")
    assert records.count() == 2
    assert records.first().actor_username == cast.bureau_admin.username  # type: ignore[union-attr]
    assert records.first().org_path == job.org.path  # type: ignore[union-attr]


def test_it_deletes_result_files_after_the_ttl_and_says_expired(cast: Cast, settings: Any) -> None:
    settings.JOB_FILE_TTL_HOURS = 24
    job = start(cast)
    f = job.files.get()
    path = files_dir() / f.stored
    client = login_client(cast.clerk)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23)):
        call_command("purge_job_files")
    assert path.exists()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        call_command("purge_job_files")
    assert not path.exists()
    f.refresh_from_db()
    assert f.expired
    assert client.get(f"/jobs/{job.pk}/files/{f.pk}/").status_code == 404
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "file expired" in page or "文件已过期" in page
    assert client.get(f"/api/v1/jobs/{job.pk}/").json()["files"] == [{"name": "结果.txt", "url": None}]


def test_it_answers_the_api_contract(cast: Cast) -> None:
    job = start(cast, chunks=2)
    body = login_client(cast.clerk).get(f"/api/v1/jobs/{job.pk}/").json()
    assert set(body) == {"id", "kind", "status", "progress", "result", "files", "error", "not_responding"}
    assert body["id"] == job.pk and body["kind"] == "test.count" and body["status"] == "done"
    assert body["progress"] == {"done": 2, "total": 2, "message": "chunk 2"}
    assert body["result"] == {"counted": 2} and body["error"] == ""
    (f,) = body["files"]
    assert f["name"] == "结果.txt" and f["url"].endswith(f"/jobs/{job.pk}/files/{job.files.get().pk}/")


def test_it_marks_a_job_without_heartbeat_failed(cast: Cast, settings: Any) -> None:
    settings.JOB_STALE_SECONDS = 60
    job = queued(cast)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
    with time_machine.travel(now + dt.timedelta(seconds=30)):
        call_command("purge_job_files")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # still beating recently enough
    with time_machine.travel(now + dt.timedelta(seconds=90)):
        call_command("purge_job_files")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "worker" in job.error or "中断" in job.error


def test_it_shows_a_stale_job_as_not_responding_without_writing_on_get(cast: Cast, settings: Any) -> None:
    """A GET never writes: the page, its poll and the API say "not responding", the row stays as it was."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.JOB_STALE_SECONDS = 60
    job = queued(cast)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
    client = login_client(cast.clerk)
    with time_machine.travel(now + dt.timedelta(seconds=59), tick=False):  # just inside the limit: responding
        body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
        assert 'id="job-not-responding"' not in body
        assert "job-not-responding" not in client.get("/jobs/").content.decode()
        assert client.get(f"/api/v1/jobs/{job.pk}/").json()["not_responding"] is False
    with time_machine.travel(now + dt.timedelta(seconds=61), tick=False), CaptureQueriesContext(connection) as queries:
        body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        api = client.get(f"/api/v1/jobs/{job.pk}/").json()
        listed = client.get("/jobs/").content.decode()
    assert 'id="job-not-responding"' in body and 'id="job-not-responding"' in page
    assert listed.count("job-not-responding") == 1
    assert 'data-status="running"' in body and "hx-trigger" in body  # it polls on: the sweep will end it
    assert api["status"] == "running" and api["not_responding"] is True
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert not [sql for sql in writes if "jobs_job" in sql or "notifications" in sql], writes
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.finished_at is None


def test_it_fails_a_stale_job_in_the_periodic_sweep(cast: Cast, settings: Any) -> None:
    settings.JOB_STALE_SECONDS = 60
    job = queued(cast)
    old = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=old, heartbeat_at=old)
    call_command("run_periodic", "purge_job_files", "--now", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    body = login_client(cast.clerk).get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'data-status="failed"' in body and "hx-trigger" not in body and 'id="job-not-responding"' not in body


def test_it_polls_while_running_and_stops_when_finished(cast: Cast) -> None:
    job = queued(cast)
    client = login_client(cast.clerk)
    body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in body and 'aria-valuenow="0"' in body
    execute(job.pk)
    body = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in body and 'aria-valuenow="100"' in body


def test_it_rejects_an_unknown_kind(cast: Cast) -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        services.do_start(by=cast.clerk, kind="nope", org=cast.clerk.org)


def test_it_does_not_count_a_progress_poll_as_activity(cast: Cast, settings: Any) -> None:
    import time

    from yinling.accounts.middleware import SESSION_LAST_SEEN

    settings.STAFF_IDLE_TIMEOUT = 60
    job = queued(cast)
    client = login_client(cast.clerk)
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 50
    session.save()
    poll = client.get(f"/jobs/{job.pk}/progress/", headers={"X-Yinling-Poll": "1", "HX-Request": "true"})
    assert poll.status_code == 200
    assert client.session[SESSION_LAST_SEEN] < int(time.time()) - 40  # unchanged: the bar polling is not the person
    client.get(f"/jobs/{job.pk}/")
    assert client.session[SESSION_LAST_SEEN] >= int(time.time()) - 1  # a page they open is


def test_it_tells_the_person_who_started_it_when_it_ends(cast: Cast) -> None:
    from yinling.notifications.models import Notification

    done = start(cast, chunks=2)
    failed = start(cast, fail="plain")
    cancelled = queued(cast)
    services.do_cancel(by=cast.clerk, job=cancelled)
    inbox = list(Notification.objects.unrestricted().filter(recipient=cast.clerk).order_by("id"))
    assert [(n.kind, n.link) for n in inbox] == [
        ("job.done", f"/jobs/{done.pk}/"),
        ("job.failed", f"/jobs/{failed.pk}/"),
    ]
    assert "计数" in inbox[0].text and "已完成" in inbox[0].text and "未能完成" in inbox[1].text
    assert "The sheet has no rows" not in inbox[1].text  # the reason stays on the job's page
    assert not Notification.objects.unrestricted().exclude(recipient=cast.clerk).exists()


def test_it_gives_result_files_to_the_starter_only(cast: Cast) -> None:
    """A colleague who may see the job (same subtree, jobs.view_job) but holds fewer rights than its starter
    may not see what its file holds: an export written for a bureau admin is unmasked."""
    from yinling.accounts import roles
    from yinling.testing.personas import make_user

    colleague = make_user("cityclerk", cast.tree.city_a, roles.CLERK)  # sees city A's jobs, reads it masked
    job = start(cast, cast.bureau_admin, chunks=1)
    f = job.files.get()
    clerk = login_client(colleague)
    page = clerk.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and f"/jobs/{job.pk}/files/{f.pk}/" not in page.content.decode()
    assert clerk.get(f"/jobs/{job.pk}/files/{f.pk}/").status_code == 403
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(colleague)
    assert api.get(f"/api/v1/jobs/{job.pk}/").json()["files"] == [{"name": f.name, "url": None}]
    assert login_client(cast.bureau_admin).get(f"/jobs/{job.pk}/files/{f.pk}/").status_code == 200
    # The other way round, the bureau admin above holds every right the clerk holds: the clerk's file is theirs too.
    theirs = start(cast, chunks=1)
    assert login_client(cast.bureau_admin).get(f"/jobs/{theirs.pk}/files/{theirs.files.get().pk}/").status_code == 200


def test_it_records_who_started_a_job(cast: Cast) -> None:
    job = start(cast, chunks=1)
    started = AuditRecord.objects.unrestricted().get(object_type="jobs.job", object_id=str(job.pk), action="create")
    assert started.actor_username == cast.clerk.username and started.extra == {
        "event": "job_started",
        "kind": "test.count",
    }


def test_it_pages_the_job_list_and_the_api(cast: Cast) -> None:
    """101 jobs: none is out of reach, on the page (50 a page) or through the API (its page size)."""
    from django.conf import settings as conf

    jobs = Job.objects.bulk_create(
        [Job(kind="test.count", label=f"计数 {i}", user=cast.clerk, org=cast.clerk.org) for i in range(101)]
    )
    oldest, newest = min(jobs, key=lambda j: j.pk), max(jobs, key=lambda j: j.pk)
    client = login_client(cast.clerk)
    first = client.get("/jobs/?show=mine").content.decode()
    assert first.count('<td><a href="/jobs/') == 50
    assert f'href="/jobs/{newest.pk}/"' in first and f'href="/jobs/{oldest.pk}/"' not in first
    assert 'href="?show=mine&amp;page=2"' in first
    second = client.get("/jobs/?show=mine&page=2").content.decode()
    assert second.count('<td><a href="/jobs/') == 50 and 'href="?show=mine&amp;page=3"' in second
    last = client.get("/jobs/?show=mine&page=3").content.decode()
    assert last.count('<td><a href="/jobs/') == 1 and f'href="/jobs/{oldest.pk}/"' in last
    assert client.get("/jobs/?page=abc").status_code == 200  # junk is the first page, not a 500
    size = conf.REST_FRAMEWORK["PAGE_SIZE"]
    body = client.get("/api/v1/jobs/").json()
    assert body["count"] == 101 and len(body["results"]) == size and body["next"]
    pages = -(-101 // size)
    tail = client.get(f"/api/v1/jobs/?page={pages}").json()
    assert [r["id"] for r in tail["results"]][-1] == oldest.pk and tail["next"] is None


def _uploads() -> list[str]:
    return sorted(str(p.relative_to(files_dir())) for p in files_dir().glob("*/input*"))


def test_it_leaves_no_upload_on_disk_when_the_start_rolls_back(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upload is written inside the transaction that records the job: a failure after it (here the audit
    record) rolls the row back, and the file (personal data) goes with it."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the trail is unavailable")

    before = _uploads()
    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.do_start(by=cast.clerk, kind="test.count", org=cast.clerk.org, inputs=[("名单.xlsx", [b"PK", b"r"])])
    assert not Job.objects.exists()
    assert _uploads() == before


def test_it_leaves_no_half_upload_when_reading_it_fails(cast: Cast) -> None:
    def chunks() -> Any:
        yield b"PK first chunk"
        raise ValueError("the upload was cut off")

    with pytest.raises(ValueError, match="cut off"):
        services.do_start(by=cast.clerk, kind="test.count", org=cast.clerk.org, inputs=[("名单.xlsx", chunks())])
    assert not Job.objects.exists() and _uploads() == []
    # The next job may get the same number (SQLite hands it out again after a rollback): it starts cleanly.
    job = services.do_start(by=cast.clerk, kind="test.count", org=cast.clerk.org, inputs=[("名单.xlsx", [b"PK"])])
    assert job.status == Job.Status.DONE
    assert services.input_path(job).read_bytes() == b"PK"


def test_it_sweeps_the_upload_of_a_job_whose_callers_transaction_rolled_back(cast: Cast, settings: Any) -> None:
    """do_start inside a caller's transaction cannot see that transaction roll back later: the folder of a job
    that does not exist is removed by the sweep once older than JOB_FILE_TTL_HOURS; a live job's is kept."""
    from django.db import transaction

    settings.JOB_FILE_TTL_HOURS = 24
    kept = queued(cast)
    services._fresh_dir(kept.pk)  # a queued job's folder (empty here): not swept
    with pytest.raises(RuntimeError), transaction.atomic():
        orphan = services.do_start(by=cast.clerk, kind="test.count", org=cast.clerk.org, inputs=[("a.xlsx", [b"PK"])])
        raise RuntimeError("the caller's next step failed")
    assert not Job.objects.filter(pk=orphan.pk).exists()
    assert (files_dir() / str(orphan.pk)).is_dir()
    now = timezone.now()
    services.purge_files(now + dt.timedelta(hours=23))  # younger than the TTL: perhaps a transaction still open
    assert (files_dir() / str(orphan.pk)).is_dir()
    services.purge_files(now + dt.timedelta(hours=25))
    assert not (files_dir() / str(orphan.pk)).exists()
    assert (files_dir() / str(kept.pk)).is_dir()


def _cancel_after_the_last_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancel that arrives after the runner's last progress report, before the job is recorded done."""
    close = JobContext.close

    def cancel_then_close(ctx: JobContext) -> None:
        Job.objects.unrestricted().filter(pk=ctx.job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)
        close(ctx)

    monkeypatch.setattr(JobContext, "close", cancel_then_close)


def test_it_lets_a_late_cancel_win_over_a_job_that_only_checked(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from yinling.notifications.models import Notification

    _cancel_after_the_last_report(monkeypatch)
    job = start(cast, chunks=2)
    assert job.status == Job.Status.CANCELLED and job.result is None
    assert not job.files.exists() and not list(files_dir().glob(f"{job.pk}/result-*"))
    assert not Notification.objects.unrestricted().filter(kind="job.done").exists()


def test_it_ends_a_job_that_applied_or_wrote_without_files_as_done_whatever_came_late(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What was saved stays saved, and the job says so: a job past applying(), or a periodic command (it writes
    with no applying() and hands out no file), is not turned into "cancelled, nothing was saved"."""
    _cancel_after_the_last_report(monkeypatch)
    applied = start(cast, chunks=2, apply_at=1)
    assert applied.status == Job.Status.DONE and applied.files.exists()
    call_command("run_periodic", "purge_job_files", "--now", stdout=io.StringIO())
    periodic = Job.objects.get(kind="periodic:purge_job_files")
    assert periodic.status == Job.Status.DONE


def test_it_keeps_every_upload_of_a_job_with_several(cast: Cast) -> None:
    job = services.do_start(
        by=cast.clerk, kind="test.count", org=cast.clerk.org, inputs=[("a.xlsx", [b"one"]), ("b.csv", [b"two"])]
    )
    assert services.input_path(job, "a.xlsx").read_bytes() == b"one"
    assert services.input_path(job, "b.csv").read_bytes() == b"two"


def test_it_counts_each_view_of_the_job_list_as_the_rows_it_lists(cast: Cast) -> None:
    """The tabs' numbers are the rows each tab's own list shows, for each viewer's scope."""
    import re

    other_org = cast.tree.city_b
    Job.objects.bulk_create(
        [
            *[Job(kind="test.count", label="我的", user=cast.clerk, org=cast.clerk.org) for _ in range(3)],
            Job(kind="test.count", label="失败", user=cast.clerk, org=cast.clerk.org, status=Job.Status.FAILED),
            Job(kind="test.count", label="上级", user=cast.bureau_admin, org=cast.bureau_admin.org),
            Job(kind="test.count", label="别处", user=cast.bureau_admin, org=other_org, status=Job.Status.FAILED),
            Job(kind="periodic:purge_job_files", label="定时", org=cast.tree.province, status=Job.Status.FAILED),
        ]
    )
    seen = {}
    for persona in (cast.clerk, cast.bureau_admin, cast.security_admin):
        client = login_client(persona)
        for show in ("", "mine", "failed", "periodic"):
            page = client.get(f"/jobs/?show={show}").content.decode()
            badge = re.search(rf'href="\?show={show}">[^<]*<span class="badge[^>]*>(\d+)</span>', page)
            assert badge, (persona.username, show)
            rows = page.count('<td><a href="/jobs/')
            assert int(badge.group(1)) == rows, (persona.username, show)
            seen[(persona.username, show)] = rows
    assert seen[(cast.clerk.username, "mine")] == 4 and seen[(cast.clerk.username, "failed")] == 1
    assert seen[(cast.clerk.username, "")] == 4  # nothing from the city above or the other city
    assert seen[(cast.security_admin.username, "periodic")] >= 1

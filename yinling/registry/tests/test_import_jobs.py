"""The import as a background job: the API (202 and the job's result) and the web flow above the inline size."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from yinling.jobs.models import Job
from yinling.registry.models import Retiree
from yinling.registry.tests.test_import import BASIC_HEADERS, ID1, ID2, ID3, xlsx
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db

ROWS = [
    BASIC_HEADERS,
    ["330106", "张三", ID1, "退休", "", ""],
    ["330106", "李梅", ID2, "退休", "123", ""],  # a phone that is no phone: rejected
    ["330106U01", "王五", ID3, "离休", "13800138000", "1945-05"],
]


def post(client: Any, path: Path, **data: Any) -> Any:
    with path.open("rb") as fh:
        return client.post("/api/v1/registry/imports/", {"file": fh, **data}, format="multipart")


def test_it_gives_the_commands_summary_as_the_api_jobs_result(
    tmp_path: Path, personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xlsx(tmp_path, ROWS)
    with pytest.raises(SystemExit):
        call_command("import_retirees", str(path), user="owner", dry_run=True)
    printed = json.loads(capsys.readouterr().out)
    client = login_client(personas.owner)
    response = post(client, path)
    assert response.status_code == 202
    job_id = response.json()["job"]
    assert set(response.json()) == {"job"}
    body = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "done" and body["kind"] == "registry.import"
    assert body["result"] == printed  # the same code path: exactly what the command prints
    assert body["result"]["created"] == 2 and body["result"]["rejected"] == 1
    assert Retiree.objects.count() == 2
    (report,) = body["files"]
    download = client.get(report["url"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active  # type: ignore[attr-defined]
    assert any("李梅" in [str(c) for c in row] for row in sheet.iter_rows(values_only=True))


def test_it_saves_nothing_on_a_dry_run(tmp_path: Path, personas: Personas) -> None:
    client = login_client(personas.owner)
    job_id = post(client, xlsx(tmp_path, ROWS), dry_run="true").json()["job"]
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.DONE and job.result["created"] == 2  # type: ignore[index]
    assert Retiree.objects.count() == 0


def test_it_fails_an_unreadable_file_with_the_commands_summary(tmp_path: Path, personas: Personas) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"nope")
    client = login_client(personas.owner)
    body = client.get(f"/api/v1/jobs/{post(client, junk).json()['job']}/").json()
    assert body["status"] == "failed"
    assert body["error"] and body["result"]["errors"][0]["row"] == 0
    assert body["result"]["created"] == 0 and body["error"] == body["result"]["errors"][0]["message"]


@pytest.mark.parametrize(
    ("who", "data", "status"),
    [
        ("limited", {}, 403),  # a leader may not import
        ("norole", {}, 403),
        ("owner", {"org": "330212"}, 400),  # an org of another city
        ("owner", {"org": "nope"}, 400),
    ],
)
def test_it_refuses_imports_the_caller_may_not_make(
    tmp_path: Path, personas: Personas, who: str, data: dict[str, str], status: int
) -> None:
    response = post(login_client(getattr(personas, who)), xlsx(tmp_path, ROWS), **data)
    assert response.status_code == status
    assert not Job.objects.exists() and Retiree.objects.count() == 0


def test_it_refuses_a_request_without_a_sheet(tmp_path: Path, personas: Personas) -> None:
    client = login_client(personas.owner)
    assert client.post("/api/v1/registry/imports/", {}, format="multipart").status_code == 400
    text = tmp_path / "a.txt"
    text.write_text("hello")
    response = post(client, text)
    assert response.status_code == 400 and "file" in response.json()


def test_it_checks_then_applies_a_large_upload_as_jobs_on_the_web(
    tmp_path: Path, personas: Personas, settings: Any
) -> None:
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every upload counts as large
    client = login_client(personas.owner)
    with xlsx(tmp_path, ROWS).open("rb") as fh:
        response = client.post("/registry/import/", {"file": fh})
    check = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{check.pk}/"
    assert check.status == Job.Status.DONE and check.params["dry_run"] is True
    assert Retiree.objects.count() == 0
    page = client.get(f"/jobs/{check.pk}/").content.decode()
    assert 'id="count-created">2<' in page and 'id="import-job-apply"' in page
    # Another city's staff can neither see nor apply it.
    outsider = login_client(personas.outsider)
    assert outsider.post(f"/registry/import/job/{check.pk}/apply/").status_code == 404
    response = client.post(f"/registry/import/job/{check.pk}/apply/")
    applied = Job.objects.exclude(pk=check.pk).get()
    assert response["Location"] == f"/jobs/{applied.pk}/"
    assert applied.status == Job.Status.DONE and applied.phase == Job.Phase.APPLYING
    assert Retiree.objects.count() == 2
    assert applied.files.get().name == "导入未通过的行.xlsx"
    assert "2" in client.get(f"/jobs/{applied.pk}/").content.decode()


def test_it_still_answers_small_uploads_inline(tmp_path: Path, personas: Personas) -> None:
    client = login_client(personas.owner)
    with xlsx(tmp_path, ROWS).open("rb") as fh:
        response = client.post("/registry/import/", {"file": fh})
    assert response["Location"] == "/registry/import/check/"
    assert not Job.objects.exists()


def test_it_lets_only_the_starter_save_a_checked_upload(tmp_path: Path, personas: Personas, settings: Any) -> None:
    from yinling.accounts import roles
    from yinling.testing.personas import make_user

    settings.IMPORT_INLINE_MAX_BYTES = 0
    with xlsx(tmp_path, ROWS).open("rb") as fh:
        login_client(personas.owner).post("/registry/import/", {"file": fh})
    check = Job.objects.get()
    colleague = login_client(make_user("cityclerk", personas.tree.city_a, roles.CLERK))
    assert colleague.get(f"/jobs/{check.pk}/").status_code == 200  # they see the check...
    assert colleague.post(f"/registry/import/job/{check.pk}/apply/").status_code == 403  # ...not save it
    assert Job.objects.count() == 1 and Retiree.objects.count() == 0

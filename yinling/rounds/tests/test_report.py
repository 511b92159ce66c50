"""The round's report as a PDF: its content, who may have it, the audit record, and a server without WeasyPrint."""

from __future__ import annotations

import pytest

from yinling.audit.models import AuditRecord
from yinling.rounds.services import do_close_round, do_record_entry
from yinling.rounds.tests.factories import entry_of, open_round
from yinling.testing.pdf import read_pdf, without_weasyprint
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def test_it_prints_the_report_as_a_pdf_for_those_who_may_export_it(cast: Cast) -> None:
    from yinling.core.pdf import pdf_available

    if not pdf_available():
        pytest.skip("WeasyPrint is not installed here")
    found = open_round(cast)
    do_record_entry(by=cast.clerk, entry=entry_of(found, cast.retiree_record), status="needs_help", needs="需要送药")
    do_close_round(by=cast.bureau_admin, round_=found, report="台风过境，已逐一联系。")
    url = f"/rounds/{found.pk}/report/pdf/"
    response = login_client(cast.bureau_admin).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = read_pdf(response.content).text.replace(" ", "").replace("\n", "")
    for expected in (
        found.title,
        "需要送药",
        cast.retiree_record.name,
        "台风过境，已逐一联系。",
        cast.tree.city_a.name,
    ):
        assert expected in text, expected
    record = AuditRecord.objects.get(action="export", object_type="rounds.round")
    assert record.extra.get("format") == "pdf" and record.org_path == cast.tree.city_a.path
    assert login_client(cast.clerk).get(url).status_code == 200  # the county's part of it
    assert login_client(cast.leader).get(url).status_code == 403
    assert login_client(cast.outsider).get(url).status_code == 404
    assert login_client(cast.retiree).get(url).status_code == 404


def test_it_says_so_when_the_server_cannot_make_pdfs(cast: Cast) -> None:
    found = open_round(cast)
    with without_weasyprint():
        client = login_client(cast.bureau_admin)
        assert client.get(f"/rounds/{found.pk}/report/pdf/").status_code == 503
        page = client.get(f"/rounds/{found.pk}/report/").content.decode()
        assert "yl-pdf-missing" in page
    assert not AuditRecord.objects.filter(action="export").exists()

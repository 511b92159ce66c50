"""A case's record as PDF: the applicant's own, staff with the export right (audited as an export), and the
page that says so when the server cannot make PDFs."""

from __future__ import annotations

import pytest
from django.test import Client

from yinling.audit.models import AuditRecord
from yinling.cases.models import Case
from yinling.cases.services import do_decide, do_file
from yinling.cases.tests import factories as f
from yinling.testing.pdf import read_pdf, without_weasyprint
from yinling.testing.personas import Cast, cast_clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast: Cast) -> Case:
    filed = do_file(
        by=cast.clerk, item=f.item(cast.tree.province), retiree=cast.retiree_record, data={"reason": "老伴住院"}
    )
    return do_decide(by=cast.clerk, case=filed, action="return", comment="请补充金额")


@pytest.mark.parametrize(
    ("persona", "desk", "mine"),
    [
        ("clerk", 200, 404),
        ("bureau_admin", 200, 404),
        ("leader", 403, 404),
        ("outsider", 404, 404),
        ("retiree", 404, 200),
    ],
)
def test_it_gives_the_pdf_to_whom_it_belongs(cast: Cast, case: Case, persona: str, desk: int, mine: int) -> None:
    client: Client = cast_clients(cast)[persona]
    assert client.get(f"/cases/desk/{case.pk}/pdf/").status_code == desk
    assert client.get(f"/cases/mine/{case.pk}/pdf/").status_code == mine


def test_it_prints_the_case_and_its_steps_and_records_the_export(cast: Cast, case: Case) -> None:
    r = cast_clients(cast)["clerk"].get(f"/cases/desk/{case.pk}/pdf/")
    assert r["Content-Type"] == "application/pdf"
    pdf = read_pdf(r.content)
    assert "帮扶" in pdf.text and "老伴住院" in pdf.text and "请补充金额" in pdf.text
    assert AuditRecord.objects.filter(action="export", object_type="cases.case", actor=cast.clerk).exists()


def test_it_says_so_when_the_server_cannot_make_pdfs(cast: Cast, case: Case) -> None:
    client = cast_clients(cast)["retiree"]
    with without_weasyprint():
        assert client.get(f"/cases/mine/{case.pk}/pdf/").status_code == 503
        assert "/pdf/" not in client.get(f"/cases/mine/{case.pk}/").content.decode()

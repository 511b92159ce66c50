"""The registry record's one-page PDF summary: masked exactly as the record page masks for the viewer's
role (read back with pypdf), only for those who may export records in scope, and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from yinling.audit.models import AuditRecord
from yinling.registry.models import FamilyContact, Retiree
from yinling.testing.pdf import A4, read_pdf, without_weasyprint
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1948, 10, 23)
PHONE = "13712345678"
ADDRESS = "杭州市西湖区文三路 128 号 3 幢 501 室"


@pytest.fixture
def record(cast: Cast) -> Retiree:
    from yinling.registry import idcard

    number = idcard.make("330106", BIRTH, 41, "F")
    person = make_retiree_record(
        cast.tree.county_a,
        "陈桂兰",
        PHONE,
        31,
        birth_date=BIRTH,
        gender="F",
        id_number=number,
        address=ADDRESS,
        health_notes="高血压，需定期复查",
        former_unit="杭州市财政局",
    )
    FamilyContact.objects.create(retiree=person, relation="儿子", name="陈明", phone="13600001111", is_emergency=True)
    return person


def pdf_of(client: Client, person: Retiree, query: str = "") -> str:
    response = client.get(f"/registry/{person.pk}/pdf/{query}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    read = read_pdf(response.content)
    assert read.pages == 1 and read.page_sizes() == [A4]
    assert read.title == f"离退休干部信息摘要：{person.name}"
    return read.text


def secrets(person: Retiree) -> list[str]:
    """Every spelling of what a role without view_sensitive must not see."""
    return [
        person.id_number,
        f"{BIRTH:%Y-%m-%d}",
        f"{BIRTH:%Y%m%d}",
        f"{BIRTH:%Y-%m}",
        PHONE,
        PHONE[:7],
        "13600001111",
        "文三路",
        "高血压",
    ]


@pytest.mark.parametrize("query", ["", "?reveal=1"])
def test_it_masks_a_clerks_summary_as_the_record_page_does(cast: Cast, record: Retiree, query: str) -> None:
    text = pdf_of(login_client(cast.clerk), record, query)
    flat = text.replace(" ", "").replace("\n", "")
    assert "陈桂兰" in text and "杭州市财政局" in text and "儿子" in text and "陈明" in text
    assert record.id_number[-4:] in flat and str(BIRTH.year) in flat  # the last four and the year only
    assert record.phone_masked in flat
    for secret in secrets(record):
        assert secret.replace(" ", "") not in flat, secret
    assert cast.tree.county_a.name in text  # the issuing (managing) org heads the page
    (export,) = AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT)
    assert export.object_type == "registry.retiree" and export.extra == {
        "format": "pdf",
        "retiree": record.pk,
        "unmasked": False,
    }
    assert export.org_path == cast.tree.county_a.path
    assert not AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.VIEW_SENSITIVE).exists()


def test_it_unmasks_for_a_sensitive_right_role_who_reveals_and_records_both(cast: Cast, record: Retiree) -> None:
    admin = login_client(cast.bureau_admin)
    masked = pdf_of(admin, record).replace(" ", "")
    assert record.id_number not in masked and PHONE not in masked  # like the page: masked until revealed
    flat = pdf_of(admin, record, "?reveal=1").replace(" ", "").replace("\n", "")
    for shown in (record.id_number, f"{BIRTH:%Y-%m-%d}", PHONE, "13600001111", "文三路", "高血压"):
        assert shown in flat, shown
    exports = AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).order_by("id")
    assert [e.extra["unmasked"] for e in exports] == [False, True]
    reveal = AuditRecord.objects.unrestricted().get(action=AuditRecord.Action.VIEW_SENSITIVE)
    assert reveal.object_id == str(record.pk) and reveal.actor_id == cast.bureau_admin.pk


def test_it_links_the_summary_from_the_record_page_for_those_who_may_export(cast: Cast, record: Retiree) -> None:
    url = f"/registry/{record.pk}/pdf/"
    clerk_page = login_client(cast.clerk).get(f"/registry/{record.pk}/").content.decode()
    assert f'href="{url}"' in clerk_page and "打印 / 下载 PDF" in clerk_page
    revealed = login_client(cast.bureau_admin).get(f"/registry/{record.pk}/?reveal=1").content.decode()
    assert f'href="{url}?reveal=1"' in revealed
    leader_page = login_client(cast.leader).get(f"/registry/{record.pk}/").content.decode()
    assert url not in leader_page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("norole", 404),
        ("outsider", 404),  # another subtree: as if the record did not exist
        ("leader", 403),  # views records, may not export them
        ("system_admin", 403),
        ("security_admin", 403),  # the province: in scope, without the right
        ("audit_admin", 403),
        ("retiree", 404),  # a retiree, even the person's relative, has no staff record pages
        ("family", 404),
        ("clerk", 200),
        ("bureau_admin", 200),
    ],
)
def test_it_answers_each_persona_as_the_rule_says(cast: Cast, record: Retiree, persona: str, expected: int) -> None:
    response = login_client(cast.user(persona)).get(f"/registry/{record.pk}/pdf/?reveal=1")
    assert response.status_code == expected
    if expected != 200:
        assert not AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).exists()
        assert not AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.VIEW_SENSITIVE).exists()


def test_it_answers_404_for_a_deleted_or_unknown_record(cast: Cast, record: Retiree) -> None:
    clerk = login_client(cast.clerk)
    Retiree.objects.unrestricted().filter(pk=record.pk).update(is_deleted=True)
    assert clerk.get(f"/registry/{record.pk}/pdf/").status_code == 404
    assert clerk.get("/registry/999999/pdf/").status_code == 404


def test_it_says_so_where_pdfs_cannot_be_made(cast: Cast, record: Retiree) -> None:
    clerk = login_client(cast.clerk)
    with without_weasyprint():
        page = clerk.get(f"/registry/{record.pk}/").content.decode()
        assert f"/registry/{record.pk}/pdf/" not in page and "本服务器暂不能生成 PDF 文件" in page
        response = clerk.get(f"/registry/{record.pk}/pdf/")
        assert response.status_code == 503 and "PDF" in response.content.decode()
        # Nothing was shown, so no reveal is recorded either.
        revealing = login_client(cast.bureau_admin).get(f"/registry/{record.pk}/pdf/?reveal=1")
        assert revealing.status_code == 503 and record.id_number not in revealing.content.decode()
    assert not AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).exists()
    assert not AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.VIEW_SENSITIVE).exists()

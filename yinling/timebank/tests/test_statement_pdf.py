"""The time bank statement as a PDF: what it says (read back with pypdf), who may have it (exactly the
HTML statement's people, staff with the export right), the export record, and a server without WeasyPrint."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from yinling.audit.models import AuditRecord
from yinling.registry.models import Retiree
from yinling.testing.pdf import A4, read_pdf, without_weasyprint
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.models import Account
from yinling.timebank.tests.factories import person, sign_in_account
from yinling.timebank.views_shared import STATEMENT_PDF_LINES

pytestmark = pytest.mark.django_db
H = Decimal


@pytest.fixture
def elder(personas: Personas, funded: Account) -> Retiree:
    r = person(personas.tree.unit_a, age=86, name="李秀英", living="alone")
    services.do_join(by=personas.owner, retiree=r)
    sign_in_account(r, elder_mode=True)
    for hours, reason in (("3", "重阳慰问"), ("1.5", "高龄补贴"), ("2", "春节慰问")):
        services.do_grant(by=personas.owner, retiree=r, hours=H(hours), reason=reason)
    return r


def member(r: Retiree) -> Client:
    client = Client()
    client.force_login(r.account)
    return client


def exports() -> list[AuditRecord]:
    return list(AuditRecord.objects.unrestricted().filter(action=AuditRecord.Action.EXPORT).order_by("id"))


def test_it_prints_the_members_own_statement_as_an_a4_pdf(elder: Retiree) -> None:
    response = member(elder).get("/timebank/statement/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert f'filename="timebank-statement-{elder.pk}-' in disposition
    assert "filename*=UTF-8''%E6%97%B6%E9%97%B4%E9%93%B6%E8%A1%8C" in disposition  # 时间银行…
    read = read_pdf(response.content)
    assert read.pages == 1 and read.page_sizes() == [A4]
    assert read.title == "时间银行对账单：李秀英"
    text = read.text
    shown = ("李秀英", elder.org.name, "重阳慰问", "高龄补贴", "春节慰问", "+1.50", "6.50", "期初余额", "期末余额")
    for expected in shown:
        assert expected in text, expected
    assert "第1页/共1页" in text.replace(" ", "")
    assert all(f.embedded for f in read.fonts()) and any("CJK" in f.name for f in read.fonts())
    (record,) = exports()
    assert record.object_type == "timebank.account" and record.org_path == elder.org.path
    assert record.extra["format"] == "pdf" and record.extra["retiree"] == elder.pk and record.extra["rows"] == 3
    assert record.actor_id == elder.account_id


def test_it_keeps_to_the_period_asked_for(personas: Personas, elder: Retiree, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2030, 3, 5, 10, tzinfo=dt.UTC), tick=False)
    services.do_grant(by=personas.owner, retiree=elder, hours=H("4"), reason="三月发放")
    response = member(elder).get("/timebank/statement/pdf/?since=2030-03-01&until=2030-03-31")
    text = read_pdf(response.content).text
    assert "三月发放" in text and "重阳慰问" not in text
    assert "2030-03-01" in text and "2030-03-31" in text
    assert "6.50" in text and "10.50" in text  # opening and closing balance
    assert exports()[-1].extra["filters"] == {"since": "2030-03-01", "until": "2030-03-31"}


def test_it_numbers_every_page_of_a_long_statement(personas: Personas, elder: Retiree) -> None:
    for i in range(90):
        services.do_grant(by=personas.owner, retiree=elder, hours=H("0.5"), reason=f"第{i:02d}次")
    read = read_pdf(member(elder).get("/timebank/statement/pdf/").content)
    assert read.pages >= 3 and set(read.page_sizes()) == {A4}
    flat = read.text.replace(" ", "")
    for n in range(1, read.pages + 1):
        assert f"第{n}页/共{read.pages}页" in flat
    assert "第00次" in flat and "第89次" in flat
    # The heading row repeats on every page (thead), so a page read alone still names its columns.
    pages = [page.extract_text() or "" for page in read.reader.pages]
    assert all("余额" in page for page in pages), pages


def test_it_sends_a_period_too_long_for_one_pdf_back_to_the_page(
    personas: Personas, elder: Retiree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("yinling.timebank.views_shared.STATEMENT_PDF_LINES", 2)
    response = member(elder).get("/timebank/statement/pdf/?since=2000-01-01", follow=True)
    assert response.redirect_chain[-1][0] == "/timebank/statement/?since=2000-01-01"
    assert "3" in response.content.decode() and "请选择较短的期间" in response.content.decode()
    assert exports() == []
    assert STATEMENT_PDF_LINES >= 366  # a year of daily services fits in one PDF


def test_it_shows_the_link_on_the_statement_page_with_the_period(elder: Retiree) -> None:
    page = member(elder).get("/timebank/statement/?since=2020-01-01&page=2").content.decode()
    assert 'href="/timebank/statement/pdf/?since=2020-01-01"' in page and "打印 / 下载 PDF" in page


def test_it_gives_staff_their_subtree_with_the_export_right(personas: Personas, elder: Retiree) -> None:
    url = f"/timebank/members/{elder.pk}/statement/pdf/"
    owner = login_client(personas.owner)
    response = owner.get(url)
    assert response.status_code == 200 and "重阳慰问" in read_pdf(response.content).text
    assert exports()[-1].actor_id == personas.owner.pk
    page = owner.get(f"/timebank/members/{elder.pk}/statement/").content.decode()
    assert f'href="{url}"' in page
    # A leader views statements but may not export them: no link, and the address refuses.
    leader = login_client(personas.limited)
    assert leader.get(f"/timebank/members/{elder.pk}/statement/").status_code == 200
    assert url not in leader.get(f"/timebank/members/{elder.pk}/statement/").content.decode()
    assert leader.get(url).status_code == 403
    assert login_client(personas.outsider).get(url).status_code == 404  # another subtree: as if absent
    assert login_client(personas.norole).get(url).status_code in (403, 404)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert len(exports()) == 1


def test_it_never_gives_a_retiree_anothers_statement(personas: Personas, elder: Retiree) -> None:
    other = person(personas.tree.unit_a, age=70, name="赵大山")
    services.do_join(by=personas.owner, retiree=other)
    sign_in_account(other)
    client = member(other)
    assert client.get(f"/timebank/members/{elder.pk}/statement/pdf/").status_code in (403, 404)
    assert client.get(f"/timebank/members/{elder.pk}/statement/pdf/?retiree={elder.pk}").status_code in (403, 404)
    own = client.get(f"/timebank/statement/pdf/?retiree={elder.pk}&id={elder.pk}")
    text = read_pdf(own.content).text
    assert "赵大山" in text and "李秀英" not in text and "重阳慰问" not in text
    # Staff not acting for anyone have no member statement of their own.
    assert login_client(personas.owner).get("/timebank/statement/pdf/").status_code == 404


def test_it_prints_for_staff_acting_for_the_member(personas: Personas, elder: Retiree) -> None:
    owner = login_client(personas.owner)
    assert owner.post(f"/registry/{elder.pk}/act/").status_code == 302
    response = owner.get("/timebank/statement/pdf/")
    assert response.status_code == 200 and "李秀英" in read_pdf(response.content).text
    record = exports()[-1]
    assert record.actor_id == personas.owner.pk and record.on_behalf_of.startswith(f"retiree:{elder.pk}")


def test_it_says_so_instead_of_linking_where_pdfs_cannot_be_made(personas: Personas, elder: Retiree) -> None:
    with without_weasyprint(OSError("cannot load library 'libpango-1.0-0'")):
        page = member(elder).get("/timebank/statement/").content.decode()
        assert "/timebank/statement/pdf/" not in page and "本服务器暂不能生成 PDF 文件" in page
        response = member(elder).get("/timebank/statement/pdf/")
        assert response.status_code == 503 and "未安装生成 PDF 所需的软件" in response.content.decode()
        staff = login_client(personas.owner).get(f"/timebank/members/{elder.pk}/statement/pdf/")
        assert staff.status_code == 503
    assert exports() == []

"""The time bank pages: member pages in elder mode, staff desk pages, statements and exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from yinling.audit.models import AuditRecord
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.models import Account, Movement, Rule, ServiceRequest, Transfer
from yinling.timebank.tests.factories import person, relate, sign_in_account

pytestmark = pytest.mark.django_db
H = Decimal


@pytest.fixture
def helper(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=63, name="王志强")
    services.do_join(by=personas.owner, retiree=r, as_provider=True)
    sign_in_account(r, elder_mode=False)
    return r


@pytest.fixture
def elder(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=86, name="李秀英", living="alone")
    services.do_join(by=personas.owner, retiree=r)
    sign_in_account(r, elder_mode=False)
    return r


def member(r: Retiree) -> Client:
    client = Client()
    client.force_login(r.account)
    return client


def under_way() -> dict[str, str]:
    """The need form's day and start for a service that began half an hour ago (the form takes up to an hour)."""
    start = timezone.localtime() - dt.timedelta(minutes=30)
    return {"day": start.date().isoformat(), "start": start.strftime("%H:%M")}


def text(response: Any) -> str:
    return response.content.decode()


def balance(r: Retiree) -> Decimal:
    account = services.member_account(r)
    assert account is not None
    account.refresh_from_db()
    return account.balance


def xlsx_text(response: Any) -> str:
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return "\n".join(" ".join(str(c) for c in row if c is not None) for row in wb.active.iter_rows(values_only=True))


def make_need(p: Personas, recipient: Retiree, **extra: Any) -> ServiceRequest:
    # Under way: still open on the board, and already started, so its hours may be reported.
    start = timezone.now() - dt.timedelta(minutes=30)
    values = {
        "category": "company",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=3),
        "expected_hours": H("2"),
        **extra,
    }
    return services.do_post_need(by=p.owner, recipient=recipient, **values)


# --- member pages -------------------------------------------------------------------------------


def test_it_shows_the_member_home_in_elder_mode(personas: Personas, funded: Account, elder: Retiree) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("12.5"), reason="高龄独居")
    response = member(elder).get("/timebank/")
    assert response.status_code == 200
    assert response.context["elder_mode"] is True  # for retirees by default, even with the account flag off
    page = text(response)
    assert '<body class="elder"' in page
    assert 'id="tb-balance">12.50<' in page
    for url in ("/timebank/needs/new/", "/timebank/donate/", "/timebank/gift/", "/timebank/statement/"):
        assert f'href="{url}"' in page
    assert "高龄独居" in page  # the history of movements
    assert "/timebank/board/" not in page  # not a provider


def test_it_leaves_elder_mode_off_when_the_browser_switched_it_off(elder: Retiree) -> None:
    client = member(elder)
    client.cookies["elder_mode"] = "0"
    assert client.get("/timebank/").context["elder_mode"] is False


def test_it_lets_a_retiree_join_and_register_as_provider(personas: Personas) -> None:
    r = person(personas.tree.unit_a, age=66)
    sign_in_account(r)
    client = member(r)
    page = text(client.get("/timebank/"))
    assert 'action="/timebank/join/"' in page
    assert client.post("/timebank/join/", {"as_provider": "on"}).status_code == 302
    account = services.member_account(r)
    assert account is not None and account.is_provider


def test_it_refuses_a_provider_outside_the_age_band_with_a_message(personas: Personas) -> None:
    r = person(personas.tree.unit_a, age=82)
    sign_in_account(r)
    response = member(r).post("/timebank/join/", {"as_provider": "on"}, follow=True)
    assert "55–75" in text(response)
    assert services.member_account(r) is None


def test_it_runs_the_service_cycle_through_the_pages(personas: Personas, funded: Account, elder, helper) -> None:
    response = member(elder).post(
        "/timebank/needs/new/",
        {"category": "meals", **under_way(), "expected_hours": "1.5", "description": "送午饭"},
    )
    assert response.status_code == 302, text(response)[:2000]
    need = ServiceRequest.objects.get()
    assert need.expected_hours == H("1.5") and need.ends_at - need.starts_at == dt.timedelta(hours=2.5)

    board = text(member(helper).get("/timebank/board/"))
    assert "送午饭" in board and f'action="/timebank/board/{need.pk}/accept/"' in board
    assert member(helper).post(f"/timebank/board/{need.pk}/accept/").status_code == 302
    services_page = text(member(helper).get("/timebank/services/"))
    assert f'action="/timebank/services/{need.pk}/report/"' in services_page
    assert member(helper).post(f"/timebank/services/{need.pk}/report/", {"hours": "1.5"}).status_code == 302

    home = text(member(elder).get("/timebank/"))
    assert f'href="/timebank/needs/{need.pk}/confirm/"' in home
    confirm = text(member(elder).get(f"/timebank/needs/{need.pk}/confirm/"))
    assert 'type="radio" name="rating"' in confirm and "<legend" in confirm
    assert "5 星" in confirm or "5 stars" in confirm  # the rating is words too, not colour
    assert member(elder).post(f"/timebank/needs/{need.pk}/confirm/", {"rating": "5"}).status_code == 302
    need.refresh_from_db()
    assert need.status == "confirmed" and need.rating == 5
    assert balance(helper) == H("1.5")


def test_it_shows_a_refusal_on_the_confirm_page(personas: Personas, funded: Account, helper) -> None:
    younger = person(personas.tree.unit_a, age=70)
    sign_in_account(younger)
    services.do_join(by=personas.owner, retiree=younger)
    need = make_need(personas, younger)
    services.do_accept(by=helper.account, need=need, provider=helper)
    services.do_report(by=helper.account, need=need, hours=H("2"))
    response = member(younger).post(f"/timebank/needs/{need.pk}/confirm/", {"rating": "4"})
    assert response.status_code == 200 and "余额不足" in text(response)
    assert ServiceRequest.objects.get(pk=need.pk).status == "reported"


def test_it_hides_other_members_needs_from_the_recipient_steps(personas: Personas, elder, helper) -> None:
    need = make_need(personas, elder)
    for url in (f"/timebank/needs/{need.pk}/confirm/", f"/timebank/needs/{need.pk}/cancel/"):
        assert member(helper).get(url).status_code == 404
    assert member(helper).post(f"/timebank/needs/{need.pk}/no-show/").status_code == 404
    assert member(elder).post(f"/timebank/services/{need.pk}/report/", {"hours": "1"}).status_code == 404


def test_it_cancels_disputes_and_records_no_shows(personas: Personas, funded: Account, elder, helper) -> None:
    first, second, third = make_need(personas, elder), make_need(personas, elder), make_need(personas, elder)
    assert member(elder).post(f"/timebank/needs/{first.pk}/cancel/", {"reason": "不需要了"}).status_code == 302
    services.do_accept(by=None, need=second, provider=helper)
    assert member(elder).post(f"/timebank/needs/{second.pk}/no-show/").status_code == 302
    services.do_accept(by=None, need=third, provider=helper)
    services.do_report(by=None, need=third, hours=H("3"))
    assert member(elder).post(f"/timebank/needs/{third.pk}/dispute/", {"reason": "只来了一小时"}).status_code == 302
    statuses = dict(ServiceRequest.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "no_show", third.pk: "disputed"}


def test_it_donates_and_gives_to_relatives(personas: Personas, funded: Account, helper) -> None:
    services.do_grant(by=personas.owner, retiree=helper, hours=H("6"), reason="a")
    client = member(helper)
    assert "信息库" in text(client.get("/timebank/gift/"))  # no relative recorded yet
    mother = person(personas.tree.county_a, age=88, name="王母")
    relate(helper, mother, "母亲")
    page = text(client.get("/timebank/gift/"))
    assert "王母" in page and 'type="radio" name="to"' in page
    assert client.post("/timebank/gift/", {"to": mother.pk, "hours": "2"}).status_code == 302
    assert client.post("/timebank/donate/", {"hours": "1"}).status_code == 302
    response = client.post("/timebank/donate/", {"hours": "10"})
    assert response.status_code == 200 and "余额不足" in text(response)
    assert balance(helper) == H("3") and balance(mother) == H("2")


def test_it_lets_staff_acting_for_a_member_use_the_member_pages(personas: Personas, funded: Account, elder) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("4"), reason="a")
    staff = login_client(personas.owner)
    assert staff.post(f"/registry/{elder.pk}/act/").status_code == 302
    page = text(staff.get("/timebank/"))
    assert "李秀英" in page and 'id="tb-balance">4.00<' in page
    assert staff.post("/timebank/donate/", {"hours": "1"}).status_code == 302
    donation = Transfer.objects.get(kind="donation")
    assert donation.on_behalf and donation.created_by == personas.owner
    record = AuditRecord.objects.filter(object_type="timebank.transfer").order_by("-id").first()
    assert record is not None and record.on_behalf_of.startswith(f"retiree:{elder.pk}")


def test_it_prints_a_members_own_statement(personas: Personas, funded: Account, elder) -> None:
    for hours in ("1", "2", "3"):
        services.do_grant(by=personas.owner, retiree=elder, hours=H(hours), reason=f"发放{hours}")
    response = member(elder).get("/timebank/statement/")
    page = text(response)
    assert response.status_code == 200
    assert "timebank/print.css" in page
    assert page.count("<tr>") == 4  # header and three movements
    assert "6.00" in page and "发放3" in page
    assert response.context["closing"] == H("6")


def test_it_shows_members_the_board_only_when_near(personas: Personas, elder, helper) -> None:
    far = person(personas.tree.county_b, age=90)
    make_need(personas, elder, description="近处")
    services.do_post_need(
        by=personas.outsider,
        recipient=far,
        category="meals",
        starts_at=timezone.now() + dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=3),
        expected_hours=H("1"),
        description="远处",
    )
    page = text(member(helper).get("/timebank/board/"))
    assert "近处" in page and "远处" not in page


def test_it_sends_staff_without_a_member_to_the_desk(personas: Personas) -> None:
    assert login_client(personas.owner).get("/timebank/").status_code == 200
    assert login_client(personas.norole).get("/timebank/").status_code == 403
    assert login_client(personas.owner).get("/timebank/donate/").status_code == 404  # not acting for anyone


# --- staff pages --------------------------------------------------------------------------------


def test_it_lists_members_and_enrols_on_behalf(personas: Personas, elder) -> None:
    staff = login_client(personas.owner)
    page = text(staff.get("/timebank/members/"))
    assert "李秀英" in page
    newcomer = person(personas.tree.unit_a, age=64, name="赵建华")
    found = text(staff.get("/timebank/members/enrol/?q=赵建华"))
    assert f'action="/timebank/members/{newcomer.pk}/enrol/"' in found
    assert f"/timebank/members/{elder.pk}/enrol/" not in text(
        staff.get("/timebank/members/enrol/?q=李秀英")
    )  # a member
    assert staff.post(f"/timebank/members/{newcomer.pk}/enrol/", {"as_provider": "on"}).status_code == 302
    account = services.member_account(newcomer)
    assert account is not None and account.is_provider
    assert login_client(personas.limited).get("/timebank/members/enrol/").status_code == 403


def test_it_switches_the_provider_flag(personas: Personas, helper) -> None:
    staff = login_client(personas.owner)
    assert staff.post(f"/timebank/members/{helper.pk}/provider/", {"provider": "0"}).status_code == 302
    assert services.member_account(helper).is_provider is False
    assert staff.post(f"/timebank/members/{helper.pk}/provider/", {"provider": "1"}).status_code == 302
    assert services.member_account(helper).is_provider is True
    assert login_client(personas.limited).post(f"/timebank/members/{helper.pk}/provider/").status_code == 403


def test_it_grants_from_the_member_page(personas: Personas, funded: Account, elder) -> None:
    staff = login_client(personas.owner)
    page = text(staff.get(f"/timebank/members/{elder.pk}/"))
    assert f'action="/timebank/members/{elder.pk}/grant/"' in page
    assert staff.post(f"/timebank/members/{elder.pk}/grant/", {"hours": "5", "reason": "重阳节"}).status_code == 302
    assert balance(elder) == H("5")
    assert (
        login_client(personas.limited).post(f"/timebank/members/{elder.pk}/grant/", {"hours": "5"}).status_code == 403
    )


def test_it_resolves_disputes_and_confirms_on_behalf(personas: Personas, funded: Account, elder, helper) -> None:
    staff = login_client(personas.owner)
    disputed, reported = make_need(personas, elder), make_need(personas, elder)
    for need in (disputed, reported):
        services.do_accept(by=None, need=need, provider=helper)
        services.do_report(by=None, need=need, hours=H("2"))
    services.do_dispute(by=None, need=disputed, reason="时长不对")
    page = text(staff.get(f"/timebank/requests/{disputed.pk}/"))
    assert f'action="/timebank/requests/{disputed.pk}/resolve/"' in page
    assert (
        staff.post(f"/timebank/requests/{disputed.pk}/resolve/", {"hours": "1", "note": "电话核实"}).status_code == 302
    )
    page = text(staff.get(f"/timebank/requests/{reported.pk}/"))
    assert f'action="/timebank/needs/{reported.pk}/confirm/"' in page
    response = staff.post(f"/timebank/needs/{reported.pk}/confirm/", {"rating": "4"})
    assert response.status_code == 302 and response["Location"] == f"/timebank/requests/{reported.pk}/"
    assert balance(helper) == H("3")
    assert list(Transfer.objects.filter(kind="service").values_list("on_behalf", flat=True)) == [True, True]


def test_it_posts_and_matches_a_need_for_members_who_are_never_online(
    personas: Personas, funded, elder, helper
) -> None:
    staff = login_client(personas.owner)
    form = text(staff.get(f"/timebank/requests/add/?recipient={elder.pk}"))
    assert "李秀英" in form
    response = staff.post(
        "/timebank/requests/add/",
        {"recipient": elder.pk, "category": "cleaning", **under_way(), "expected_hours": "2"},
    )
    assert response.status_code == 302, text(response)[:3000]
    need = ServiceRequest.objects.get()
    assert need.posted_by == personas.owner
    assert staff.post(f"/timebank/requests/{need.pk}/assign/", {"provider": helper.pk}).status_code == 302
    assert staff.post(f"/timebank/requests/{need.pk}/report/", {"hours": "2"}).status_code == 302
    need.refresh_from_db()
    assert need.status == "reported" and need.provider == services.member_account(helper)


def test_it_lists_the_ledger_and_reverses_with_a_reason(personas: Personas, funded: Account, elder) -> None:
    grant = services.do_grant(by=personas.owner, retiree=elder, hours=H("4"), reason="重复发放").transfer
    staff = login_client(personas.owner)
    page = text(staff.get("/timebank/ledger/"))
    assert f'href="/timebank/ledger/{grant.pk}/reverse/"' in page and "重复发放" in page
    assert "李秀英" in text(staff.get("/timebank/ledger/?kind=grant"))
    assert "李秀英" not in text(staff.get("/timebank/ledger/?kind=donation"))
    assert staff.post(f"/timebank/ledger/{grant.pk}/reverse/", {"reason": ""}).status_code == 200
    assert staff.post(f"/timebank/ledger/{grant.pk}/reverse/", {"reason": "录入错误"}).status_code == 302
    assert balance(elder) == 0
    response = staff.post(f"/timebank/ledger/{grant.pk}/reverse/", {"reason": "again"})
    assert response.status_code == 200 and "冲正过" in text(response)
    assert Transfer.objects.filter(kind="reversal", reverses=grant, reason="录入错误").count() == 1
    clerk_page = login_client(personas.limited).get(f"/timebank/ledger/{grant.pk}/reverse/")
    assert clerk_page.status_code == 403
    assert login_client(personas.outsider).get(f"/timebank/ledger/{grant.pk}/reverse/").status_code == 404


def test_it_shows_pools_and_issues_and_grants_from_them(personas: Personas, funded: Account, elder) -> None:
    staff = login_client(personas.owner)
    page = text(staff.get("/timebank/pools/"))
    assert "杭州市委老干部局" in page and "100.00" in page and "宁波" not in page
    pool_page = text(staff.get("/timebank/pools/330106/"))
    assert 'action="/timebank/pools/330106/issue/"' in pool_page
    assert (
        staff.post("/timebank/pools/330106/issue/", {"hours": "20", "reason": "区级", "document_no": "2号"}).status_code
        == 302
    )
    assert services.pool_for(personas.tree.county_a).balance == H("20")
    assert (
        staff.post("/timebank/pools/330100/grant/", {"member": elder.pk, "hours": "3", "reason": "慰问"}).status_code
        == 302
    )
    assert balance(elder) == H("3")
    assert login_client(personas.limited).post("/timebank/pools/330106/issue/", {"hours": "1"}).status_code == 403
    assert login_client(personas.outsider).get("/timebank/pools/330106/").status_code == 404


def test_it_prints_and_exports_a_members_statement_for_staff(personas: Personas, funded: Account, elder) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("5"), reason="节日慰问")
    staff = login_client(personas.owner)
    page = text(staff.get(f"/timebank/members/{elder.pk}/statement/"))
    assert "节日慰问" in page and "timebank/print.css" in page and "tb-signature" in page
    response = staff.get(f"/timebank/members/{elder.pk}/statement/?export=xlsx")
    assert response.status_code == 200 and "节日慰问" in xlsx_text(response)
    assert AuditRecord.objects.filter(action="export", object_type="timebank.account").exists()
    assert login_client(personas.limited).get(f"/timebank/members/{elder.pk}/statement/?export=xlsx").status_code == 403
    assert login_client(personas.outsider).get(f"/timebank/members/{elder.pk}/statement/").status_code == 404


def test_it_pages_a_long_statement_and_keeps_the_balances_right(personas: Personas, funded: Account, elder) -> None:
    Rule.objects.create(org=personas.tree.city_a, balance_cap=H("100000"))
    services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("1000"), reason="追加", document_no="3号")
    for _ in range(450):
        services.do_grant(by=personas.owner, retiree=elder, hours=H("1"), reason="x")
    staff = login_client(personas.owner)
    first = staff.get(f"/timebank/members/{elder.pk}/statement/")
    assert first.context["page"].paginator.num_pages == 3
    assert first.context["page_opening"] == 0 and first.context["page_closing"] == H("200")
    last = staff.get(f"/timebank/members/{elder.pk}/statement/?page=3")
    assert last.context["page_opening"] == H("400") and last.context["page_closing"] == H("450")
    assert last.context["closing"] == H("450")
    assert Movement.objects.filter(account__retiree=elder).count() == 450


def test_it_limits_a_statement_to_a_period(personas: Personas, funded: Account, elder) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("2"), reason="a")
    today = timezone.localdate()
    staff = login_client(personas.owner)
    later = staff.get(f"/timebank/members/{elder.pk}/statement/?since={(today + dt.timedelta(days=1)).isoformat()}")
    assert later.context["opening"] == H("2") and later.context["lines"] == [] and later.context["closing"] == H("2")
    now = staff.get(f"/timebank/members/{elder.pk}/statement/?since={today.isoformat()}")
    assert now.context["opening"] == 0 and now.context["closing"] == H("2")


def test_it_exports_requests_and_the_ledger_in_scope(personas: Personas, funded: Account, elder) -> None:
    make_need(personas, elder, description="本区需求")
    services.do_grant(by=personas.owner, retiree=elder, hours=H("1"), reason="本区发放")
    staff = login_client(personas.owner)
    assert "李秀英" in xlsx_text(staff.get("/timebank/requests/?export=xlsx"))
    ledger = xlsx_text(staff.get("/timebank/ledger/?export=xlsx"))
    assert "本区发放" in ledger and "年度发放" in ledger
    assert "本区发放" not in xlsx_text(login_client(personas.outsider).get("/timebank/ledger/?export=xlsx"))
    assert login_client(personas.limited).get("/timebank/ledger/?export=xlsx").status_code == 403


def test_it_registers_navigation_and_home_figures(personas: Personas, elder) -> None:
    home = text(login_client(personas.owner).get("/"))
    assert 'href="/timebank/"' in home and 'href="/timebank/members/"' in home
    assert 'href="/timebank/"' in text(member(elder).get("/"))  # retirees see it in the menu
    assert 'href="/timebank/"' not in text(login_client(personas.norole).get("/"))


def test_it_expires_overdue_needs_with_the_command(personas: Personas, elder) -> None:
    from django.core.management import call_command

    past = timezone.now() - dt.timedelta(days=2)
    services.do_post_need(
        by=personas.owner,
        recipient=elder,
        category="company",
        starts_at=past,
        ends_at=past + dt.timedelta(hours=2),
        expected_hours=H("1"),
    )
    make_need(personas, elder)
    out = io.StringIO()
    call_command("expire_timebank_requests", stdout=out)
    assert out.getvalue().strip() == "expired 1 open time bank request whose window had passed"
    assert sorted(ServiceRequest.objects.values_list("status", flat=True)) == ["expired", "open"]


def test_it_seals_the_audit_chain_once_per_transaction(personas: Personas, funded: Account, elder) -> None:
    """However many audit records a transfer writes, its transaction registers one seal for after commit."""
    from django.db import transaction

    from yinling.audit.services import _seal_soon

    with transaction.atomic():
        services.do_grant(by=personas.owner, retiree=elder, hours=H("2"), reason="a")
        services.do_donate(by=personas.owner, retiree=elder, hours=H("1"))
        from django.db import connection

        seals = [entry for entry in connection.run_on_commit if entry[1] is _seal_soon]
    assert len(seals) == 1

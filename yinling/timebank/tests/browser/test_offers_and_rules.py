"""Offers and rule settings in a real browser.

On a 390 px phone in elder mode a helper publishes an offer, a member books it for her mother
and the booked need reaches the helper's services; every member page passes axe, does not
scroll sideways and keeps elder mode's sizes. The staff pages (offers, rule settings) pass axe
at 1280 px and 390 px, and a bureau admin sets and removes an org's own rule through the form.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.helpers import attach_session, axe_problems, layout_problems, path_of
from yinling.testing.personas import make_personas
from yinling.timebank import services
from yinling.timebank.models import Offer, Rule, ServiceRequest
from yinling.timebank.services import offers as services_offers
from yinling.timebank.services import rules as services_rules
from yinling.timebank.tests.browser.test_timebank_flow import check
from yinling.timebank.tests.factories import person, relate, sign_in_account

pytestmark = pytest.mark.browser
H = Decimal


def test_a_helper_offers_and_a_daughter_books_for_her_mother_on_a_phone(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    helper = person(p.tree.unit_a, age=63, name="王志强")
    services.do_join(by=None, retiree=helper, as_provider=True)
    daughter = person(p.tree.unit_a, age=66, name="陈秀兰")
    services.do_join(by=None, retiree=daughter)
    mother = person(p.tree.county_a, age=91, name="陈老太")
    relate(daughter, mother, "母亲")
    sign_in_account(helper)
    sign_in_account(daughter)

    problems: list[str] = []
    his_context = new_context(PHONE)
    attach_session(his_context, live_server.url, helper.account)
    him = his_context.new_page()
    her_context = new_context(PHONE)
    attach_session(her_context, live_server.url, daughter.account)
    her = her_context.new_page()

    # He offers help with smartphones, from his home page.
    him.goto("/timebank/")
    with him.expect_navigation():
        him.click("main a[href='/timebank/offers/mine/']")
    check(him, "my offers (none yet)", problems)
    with him.expect_navigation():
        him.click("main a[href='/timebank/offers/new/']")
    check(him, "offer your help", problems)
    him.click("label:text-is('智能手机教学')")
    him.fill("#id_skill", "教视频通话、打车和挂号")
    him.fill("#id_available", "工作日上午")
    with him.expect_navigation():
        him.click("main form button[type=submit]")
    assert path_of(him) == "/timebank/offers/mine/"
    offer = Offer.objects.get()
    assert services_offers.split_description(offer.description) == ("教视频通话、打车和挂号", "工作日上午")
    check(him, "my offers", problems)

    # She finds it among the offers near her and books it for her mother.
    her.goto("/timebank/")
    with her.expect_navigation():
        her.click("main a[href='/timebank/offers/']")
    check(her, "help offered near me", problems)
    card = her.locator(f"article[data-offer='{offer.pk}']")
    assert "工作日上午" in card.inner_text()
    with her.expect_navigation():
        card.locator("a.btn").click()
    check(her, "book an offer", problems)
    her.click("label:has-text('陈老太')")
    her.fill("#id_day", (timezone.localdate() + dt.timedelta(days=1)).isoformat())
    her.fill("#id_start", "09:30")
    her.select_option("#id_expected_hours", "1.5")
    with her.expect_navigation():
        her.click("main form button[type=submit]")
    assert path_of(her) == "/timebank/"
    need = ServiceRequest.objects.get()
    assert need.recipient.retiree_id == mother.pk and need.offer_id == offer.pk and need.status == "accepted"
    assert need.paid_by_pool  # 91: the pool pays

    # It is in his services now, ready for the hours once done.
    him.goto("/timebank/services/")
    assert him.locator(f"article[data-need='{need.pk}']").count() == 1
    # He withdraws the offer; it leaves her list.
    him.goto("/timebank/offers/mine/")
    with him.expect_navigation():
        him.click(f"form[action='/timebank/offers/{offer.pk}/withdraw/'] button[type=submit]")
    check(him, "my offers after withdrawing", problems)
    her.goto("/timebank/offers/")
    assert her.locator(f"article[data-offer='{offer.pk}']").count() == 0
    check(her, "no offers near me", problems)

    assert not his_context.console_log.csp_violations(), his_context.console_log
    assert not her_context.console_log.csp_violations(), her_context.console_log
    assert problems == [], "\n".join(problems)


def test_the_member_offer_pages_pass_axe_at_desktop_width(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    helper = person(p.tree.unit_a, age=63, name="王志强")
    services.do_join(by=None, retiree=helper, as_provider=True)
    member = person(p.tree.unit_a, age=70, name="陈秀兰")
    services.do_join(by=None, retiree=member)
    relate(member, person(p.tree.unit_a, age=90, name="陈老太"), "母亲")
    offer = services_offers.publish(by=None, provider=helper, category="haircut", skill="上门理发", available="周二")
    sign_in_account(helper, elder_mode=False)
    sign_in_account(member, elder_mode=False)
    problems: list[str] = []
    for user, paths in (
        (member.account, ["/timebank/offers/", f"/timebank/offers/{offer.pk}/book/"]),
        (helper.account, ["/timebank/offers/mine/", "/timebank/offers/new/"]),
    ):
        context = new_context(DESKTOP)
        attach_session(context, live_server.url, user)
        page = context.new_page()
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            problems += axe_problems(page, path)
            problems += layout_problems(page, path, DESKTOP["width"])
        # A form sent with mistakes shows them next to the fields, still accessible.
        if user == helper.account:
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            assert page.locator("[aria-invalid=true]").count() >= 2
            problems += axe_problems(page, "offer form with errors")
        assert not context.console_log.csp_violations(), context.console_log
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_staff_offer_and_rule_pages_pass_axe(new_context: Any, live_server: Any, viewport: dict[str, int]) -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    helper = person(p.tree.unit_a, age=63, name="王志强")
    services.do_join(by=None, retiree=helper, as_provider=True)
    elder = person(p.tree.unit_a, age=88, name="李秀英")
    offer = services_offers.publish(by=None, provider=helper, category="meals", skill="送午饭", available="每天中午")
    start = timezone.now() + dt.timedelta(days=1)
    need = services_offers.book(
        by=None,
        offer=offer,
        booker=elder,
        recipient=elder,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        expected_hours=H("1"),
    )
    values = {**services_rules.values_of(Rule()), "balance_cap": H("900")}
    services_rules.set_rule(by=p.owner, org=p.tree.city_a, values=values, reason="市级文件")
    services_rules.set_rule(by=p.owner, org=p.tree.county_a, values={**values, "daily_cap": H("6")}, reason="区级")
    context = new_context(viewport)
    attach_session(context, live_server.url, p.owner)
    page = context.new_page()
    problems: list[str] = []
    for path in (
        "/timebank/",
        "/timebank/staff/offers/",
        f"/timebank/staff/offers/{offer.pk}/",
        f"/timebank/staff/offers/{offer.pk}/book/",
        f"/timebank/requests/{need.pk}/",
        "/timebank/rules/",
        "/timebank/rules/?q=财政",
        "/timebank/rules/330100/",
        "/timebank/rules/330106/",
        "/timebank/rules/330106U01/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        problems += axe_problems(page, path)
        problems += layout_problems(page, path, viewport["width"])
    # A rule with mistakes: the errors are shown at the fields, the page still passes axe.
    page.goto("/timebank/rules/330106U01/")
    page.fill("#id_provider_min_age", "70")
    page.fill("#id_provider_max_age", "60")
    page.fill("#id_reason", "试一下")
    with page.expect_navigation():
        page.click("form:not([action]) button[type=submit]")
    assert page.locator("#id_provider_max_age[aria-invalid=true]").count() == 1
    problems += axe_problems(page, "rule form with errors")
    assert not Rule.objects.filter(org=p.tree.unit_a).exists()
    assert not context.console_log.csp_violations(), context.console_log
    assert problems == [], "\n".join(problems)


def test_a_bureau_admin_sets_and_removes_an_orgs_rule(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    services_rules.set_rule(
        by=p.owner,
        org=p.tree.city_a,
        values={**services_rules.values_of(Rule()), "balance_cap": H("900")},
        reason="市级文件",
    )
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, p.owner)
    page = context.new_page()
    page.goto("/timebank/")
    with page.expect_navigation():
        page.click("main a[href='/timebank/rules/']")
    with page.expect_navigation():
        page.click("main a[href='/timebank/rules/330106/']")
    assert "杭州市委老干部局" in page.locator("#rule-source").inner_text()  # inherited from the city
    assert page.input_value("#id_balance_cap") == "900"
    page.fill("#id_daily_cap", "4")
    page.select_option("#id_unit", "1")
    page.fill("#id_reason", "西湖区〔2026〕2号")
    with page.expect_navigation():
        page.click("form:not([action]) button[type=submit]")
    assert path_of(page) == "/timebank/rules/330106/"
    rule = Rule.objects.get(org=p.tree.county_a)
    assert rule.daily_cap == H("4") and rule.unit == H("1") and rule.balance_cap == H("900")
    assert page.locator("form[action='/timebank/rules/330106/remove/']").count() == 1
    page.fill("#id_remove-reason", "恢复执行市级规则")
    with page.expect_navigation():
        page.click("form[action='/timebank/rules/330106/remove/'] button[type=submit]")
    assert not Rule.objects.filter(org=p.tree.county_a).exists()
    assert "杭州市委老干部局" in page.locator("#rule-source").inner_text()
    problems = axe_problems(page, "rule page after removal")
    assert not context.console_log.csp_violations(), context.console_log
    assert problems == [], "\n".join(problems)

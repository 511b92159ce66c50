"""Care on a 390 px phone: a worker opens the due list, records a visit from it, and reads the care pages; the
retiree, in elder mode, sees who visited and their contact. Axe on every page; the member page keeps elder
mode's sizes and does not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.care.models import Visit
from yinling.care.services import campaigns
from yinling.care.tests.factories import campaign_at, person, plan_for, policy_for
from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.helpers import BODY_TEXT_JS, BOX_JS, attach_session, axe_problems, layout_problems
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser


def elder_check(page: Any, where: str, problems: list[str]) -> None:
    problems += axe_problems(page, where)
    problems += layout_problems(page, where, PHONE["width"])
    assert page.locator("body").get_attribute("class") == "elder", where
    body = page.evaluate(BODY_TEXT_JS)
    if body["fontSize"] < 18 or body["lineHeight"] < 1.3 * body["fontSize"]:
        problems.append(f"{where}: body text {body}")
    boxes = [b for b in page.eval_on_selector_all("main .btn", f"els => els.map({BOX_JS})") if b["visible"]]
    small = [b for b in boxes if b["h"] < 60 or b["w"] < 60]
    if small:
        problems.append(f"{where}: buttons under 60 × 60 px: {small}")


def test_it_takes_a_worker_from_the_due_list_to_a_recorded_visit_on_a_phone(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    who = cast.retiree_record
    plan_for(cast.bureau_admin, who, "high", worker=cast.clerk)
    lixiu = person(cast.tree.unit_a, "王离休", age=95, category="lixiu", work_started="1948-05")
    policy_for(cast.bureau_admin, lixiu)
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)

    problems: list[str] = []
    phone = new_context(PHONE)
    attach_session(phone, live_server.url, cast.clerk)
    page = phone.new_page()
    page.goto("/care/")
    problems += axe_problems(page, "the due list")
    problems += layout_problems(page, "the due list", PHONE["width"])
    assert "张建国" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.click(f"main a[href='/care/visits/new/?retiree={who.pk}']")
    problems += axe_problems(page, "the visit form")
    problems += layout_problems(page, "the visit form", PHONE["width"])
    page.check("#id_kind_0")
    page.fill("#id_visitors", "王科长、李干事")
    page.fill("#id_given", "慰问品一份")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert Visit.objects.filter(retiree=who).count() == 1, page.locator("main").inner_text()
    problems += axe_problems(page, "the visit")
    for url, where in (
        (f"/care/people/{who.pk}/", "the care page"),
        (f"/care/people/{lixiu.pk}/", "the care page of a 离休 cadre"),
        ("/care/visits/", "the visit records"),
        ("/care/plans/", "the care plans"),
        ("/care/policies/", "the 一人一策 plans"),
        ("/care/campaigns/", "the campaigns"),
        (f"/care/campaigns/{campaign.pk}/", "the campaign"),
        (f"/care/people/{who.pk}/event/", "the event form"),
        (f"/care/people/{who.pk}/plan/", "the plan form"),
    ):
        page.goto(url)
        problems += axe_problems(page, where)

    member = new_context(PHONE)
    attach_session(member, live_server.url, cast.retiree)
    mine = member.new_page()
    mine.goto("/care/me/")
    elder_check(mine, "my visits", problems)
    assert "王科长、李干事" in mine.locator("#care-my-visits").inner_text()
    assert "clerk" in mine.locator("#care-contact").inner_text()
    assert problems == []
    assert not phone.console_log.csp_violations(), phone.console_log
    assert not member.console_log.csp_violations(), member.console_log

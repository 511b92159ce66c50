"""The volunteer's pages on a 390 px phone in elder mode: registering, the home with hours and teams, asking
to join a team; and the public certificate check. Every page passes axe (no serious or critical violation),
does not scroll sideways and keeps elder mode's sizes (text ≥ 18 px, buttons and choices ≥ 60 px)."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.core.tests.browser.conftest import PHONE, browser, new_context
from yinling.core.tests.browser.helpers import (
    BODY_TEXT_JS,
    BOX_JS,
    attach_session,
    axe_problems,
    layout_problems,
    path_of,
)
from yinling.testing.personas import make_personas
from yinling.volunteering.models import Membership, Volunteer
from yinling.volunteering.services import recognition
from yinling.volunteering.tests.people_factories import account, person, team

pytestmark = pytest.mark.browser
__all__ = ["browser", "new_context"]


def check(page: Any, where: str, problems: list[str], *, elder: bool = True) -> None:
    problems += axe_problems(page, where)
    problems += layout_problems(page, where, PHONE["width"])
    if not elder:
        return
    assert page.locator("body").get_attribute("class") == "elder", where
    body = page.evaluate(BODY_TEXT_JS)
    if body["fontSize"] < 18 or body["lineHeight"] < 1.3 * body["fontSize"]:
        problems.append(f"{where}: body text {body}")
    for selector in ("main .btn", "main .vp-choice"):
        boxes = [b for b in page.eval_on_selector_all(selector, f"els => els.map({BOX_JS})") if b["visible"]]
        small = [b for b in boxes if b["h"] < 60 or (selector == "main .btn" and b["w"] < 60)]
        if small:
            problems.append(f"{where}: {selector} under 60 px: {small}")


def test_a_retiree_registers_as_a_volunteer_on_a_phone(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    me = person(p.tree.unit_a, name="林光庆", age=66)
    user = account(me)
    squad = team(p.tree.county_a, "西湖区银龄志愿服务队")
    context = new_context(PHONE)
    attach_session(context, live_server.url, user)
    page = context.new_page()
    problems: list[str] = []

    page.goto("/volunteering/me/")
    assert path_of(page) == "/volunteering/me/register/"
    check(page, "registration", problems)
    page.locator("label[for='vp-skills_0']").click()  # 政策宣讲
    page.locator("label[for='vp-skills_3']").click()  # 关爱帮扶
    page.locator("label[for='vp-insurance_1']").click()  # insured: the expiry is then required
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == "/volunteering/me/register/"
    assert page.locator(".invalid-feedback, .is-invalid").count() > 0
    check(page, "registration with an error", problems)
    page.fill("#vp-insurance_expires", "2030-06-30")
    page.fill("#vp-availability", "周二、周四上午")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == "/volunteering/me/"
    volunteer = Volunteer.objects.get(retiree=me)
    assert volunteer.skill_list == ["policy", "care"] and volunteer.insurance == "insured"
    check(page, "volunteer home", problems)
    assert page.locator("#vp-credited").inner_text().strip() in ("0.00", "0")

    page.goto("/volunteering/me/teams/")
    check(page, "teams", problems)
    with page.expect_navigation():
        page.locator(f"a[href='/volunteering/me/teams/{squad.pk}/']").first.click()
    check(page, "team page", problems)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert Membership.objects.get(volunteer=volunteer).status == Membership.Status.PENDING
    assert not problems, "\n".join(problems)


def test_the_public_certificate_check_passes_axe_on_a_phone(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    me = person(p.tree.unit_a, name="张三明")
    account(me)
    volunteer = Volunteer.objects.create(retiree=me)
    cert = recognition.do_issue_certificate(by=me.account, volunteer=volunteer)
    page = new_context(PHONE).new_page()
    page.goto(f"/volunteering/verify/{cert.code}/")
    problems: list[str] = []
    check(page, "certificate check", problems, elder=False)
    assert "张*明" in page.locator("main").inner_text() and "张三明" not in page.content()
    assert not problems, "\n".join(problems)


def test_the_staff_pages_pass_axe(new_context: Any, live_server: Any) -> None:
    """The desk's pages at 1280 px (and the lists at 390 px): no serious or critical axe violation."""
    from yinling.core.tests.browser.conftest import DESKTOP
    from yinling.testing.personas import make_cast
    from yinling.volunteering.tests.people_factories import walk_objects

    cast = make_cast()
    objects = walk_objects(cast)
    recognition.do_review_story(by=cast.clerk, story=objects["story"], publish=True)
    problems: list[str] = []
    pages = [
        "/volunteering/volunteers/",
        f"/volunteering/volunteers/{objects['volunteer'].pk}/",
        f"/volunteering/volunteers/{objects['volunteer'].pk}/edit/",
        "/volunteering/volunteers/add/",
        "/volunteering/teams/",
        f"/volunteering/teams/{objects['team'].pk}/",
        "/volunteering/teams/add/",
        "/volunteering/pairings/",
        f"/volunteering/pairings/{objects['pairing'].pk}/",
        "/volunteering/pairings/add/",
        "/volunteering/certificates/",
        f"/volunteering/certificates/{objects['certificate'].pk}/",
        "/volunteering/nominations/",
        f"/volunteering/nominations/{objects['nomination'].pk}/",
        "/volunteering/nominations/add/",
        "/volunteering/targets/",
        "/volunteering/targets/add/",
        "/volunteering/stories/",
        f"/volunteering/stories/{objects['story'].pk}/",
    ]
    for viewport in (DESKTOP, PHONE):
        context = new_context(viewport)
        attach_session(context, live_server.url, cast.bureau_admin)
        page = context.new_page()
        for url in pages if viewport is DESKTOP else pages[:1] + pages[4:5]:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            problems += axe_problems(page, f"{url} at {viewport['width']} px")
            if viewport is PHONE:
                problems += layout_problems(page, url, PHONE["width"])
    assert not problems, "\n".join(problems)


def test_a_volunteer_sees_the_hours_and_prints_the_certificate(new_context: Any, live_server: Any) -> None:
    from yinling.core.pdf import pdf_available
    from yinling.volunteering.tests.people_factories import at, served, volunteer

    if not pdf_available():
        pytest.skip("WeasyPrint is not installed here")
    p = make_personas()
    v = volunteer(p.tree.unit_a, name="郑志强", with_account=True)
    served(v, p.tree.unit_a, at(2025, 6, 1), 2.5)
    context = new_context(PHONE)
    attach_session(context, live_server.url, v.retiree.account)
    page = context.new_page()
    page.goto("/volunteering/me/")
    problems: list[str] = []
    check(page, "volunteer home with hours", problems)
    assert page.locator("#vp-credited").inner_text().strip() == "2.50"
    with page.expect_response(lambda r: "/pdf/" in r.url) as answer:
        try:
            page.locator("form[action='/volunteering/me/certificate/'] button").click()
            page.wait_for_load_state()
        except Exception:  # Chromium may take the PDF as a download and abort the navigation
            pass
    response = answer.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert not problems, "\n".join(problems)

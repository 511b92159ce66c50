"""A volunteer on a 390 px phone in elder mode: signs up, checks in with the code the organiser's page shows,
checks out, and sees the hours. Every member page passes axe, does not scroll sideways and keeps elder
mode's sizes. (The certificate belongs to the people half.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.helpers import BODY_TEXT_JS, BOX_JS, attach_session, axe_problems, layout_problems
from yinling.testing.personas import make_personas
from yinling.volunteering.models import Activity, Attendance, Certificate
from yinling.volunteering.tests.factories_activities import activity, volunteer

pytestmark = pytest.mark.browser


def check(page: Any, where: str, problems: list[str]) -> None:
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


def test_it_takes_a_volunteer_from_sign_up_to_a_certificate_on_a_phone(new_context: Any, live_server: Any) -> None:
    p = make_personas()  # owner: bureau admin of city A, who organises here
    me = volunteer(p.tree.unit_a, name="李志愿")
    act = activity(p.tree.city_a, start=timezone.now() + dt.timedelta(hours=1), capacity=5, title="社区义诊")

    problems: list[str] = []
    phone = new_context(PHONE)
    attach_session(phone, live_server.url, me.retiree.account)
    vol = phone.new_page()
    desk = new_context(DESKTOP)
    attach_session(desk, live_server.url, p.owner)
    organiser = desk.new_page()

    vol.goto("/volunteering/activities/")
    check(vol, "activities open to me", problems)
    with vol.expect_navigation():
        vol.click(f"main a[href='/volunteering/activities/{act.pk}/']")
    check(vol, "the activity", problems)
    with vol.expect_navigation():
        vol.click("main form[action$='/signup/'] button[type=submit]")
    assert "报名成功" in vol.locator("#act-status").inner_text()
    check(vol, "signed up", problems)
    vol.goto("/volunteering/activities/mine/")
    check(vol, "my sign-ups", problems)

    # The activity started two hours ago: the organiser's page shows the code.
    start = timezone.now() - dt.timedelta(hours=2)
    Activity.objects.filter(pk=act.pk).update(start=start, end=start + dt.timedelta(hours=3))
    organiser.goto(f"/volunteering/organise/activities/{act.pk}/code/")
    code = organiser.locator("#checkin-code").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    assert organiser.locator("#code-panel svg").count() == 1  # the QR code
    problems += axe_problems(organiser, "the organiser's code page")

    vol.goto(f"/volunteering/activities/{act.pk}/")
    with vol.expect_navigation():
        vol.click(f"main a[href='/volunteering/activities/{act.pk}/checkin/']")
    check(vol, "check-in", problems)
    assert vol.locator("#id_code").get_attribute("inputmode") == "numeric"
    vol.fill("#id_code", code)
    with vol.expect_navigation():
        vol.click("#checkin-button")
    assert "已签到" in vol.locator("#checkin-state").inner_text()
    check(vol, "checked in", problems)

    # They checked in an hour and a half ago (credited: 1.5 hours).
    Attendance.objects.filter(activity=act).update(checked_in_at=timezone.now() - dt.timedelta(minutes=90))
    with vol.expect_navigation():
        vol.click("#checkout-button")
    assert vol.url.endswith("/volunteering/activities/hours/")
    assert vol.locator("#credited-hours").inner_text().strip() in ("1.5", "1.50")
    check(vol, "my hours", problems)
    # The certificate: from the volunteer's page, a PDF with the hours just credited.
    vol.goto("/volunteering/me/")
    check(vol, "my volunteering", problems)
    with vol.expect_response(lambda r: r.url.endswith("/pdf/")) as answer:
        vol.click("main form[action$='/me/certificate/'] button[type=submit]")
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    issued = Certificate.objects.get(volunteer=me)
    assert issued.credited_hours == Decimal("1.5") and issued.hours_by_year == {str(start.year): "1.50"}
    organiser.goto(f"/volunteering/organise/activities/{act.pk}/")
    assert me.retiree.name in organiser.locator("main").inner_text()
    problems += axe_problems(organiser, "the organiser's activity page")
    organiser.goto("/volunteering/organise/activities/")
    problems += axe_problems(organiser, "the staff list of activities")
    assert problems == []
    assert not phone.console_log.csp_violations(), phone.console_log
    assert not desk.console_log.csp_violations(), desk.console_log

"""平安报 on a 390 px phone in elder mode: the retiree answers "I need help" with what; the daughter answers
"safe" for herself; staff see the counts change. Every member page passes the elder rules and axe (any impact)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.elder_rules import axe_violations, measure
from yinling.core.tests.browser.helpers import attach_session, axe_problems, layout_problems
from yinling.rounds.models import RoundEntry
from yinling.rounds.tests.factories import entry_of, open_round
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser


def shots() -> Path:
    """Where screenshots go for a reviewer (as core's test_screenshots.py: git ignores the folder)."""
    root = Path(__file__).resolve().parents[4]
    folder = Path(os.environ.get("YINLING_ARTIFACTS_DIR", root / "test-artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check(page: Any, where: str, problems: list[str]) -> None:
    assert page.locator("body").get_attribute("class") == "elder", where
    problems += measure(page, where)
    problems += axe_violations(page, where)
    problems += layout_problems(page, where, PHONE["width"])


def test_it_takes_the_answers_of_a_retiree_and_their_daughter_on_a_phone(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    found = open_round(cast)
    father = entry_of(found, cast.retiree_record)
    problems: list[str] = []

    phone = new_context(PHONE)
    attach_session(phone, live_server.url, cast.retiree)
    me = phone.new_page()
    me.goto(f"{live_server.url}/rounds/me/")
    check(me, "my 平安报", problems)
    with me.expect_navigation():
        me.click(f"main a[href='/rounds/me/{father.pk}/']")
    check(me, "the question", problems)
    me.screenshot(path=str(shots() / "rounds-question-390.png"), full_page=True)
    assert me.locator("#round-safe").is_visible() and me.locator("#round-help").is_visible()
    with me.expect_navigation():
        me.click("#round-help")
    check(me, "I need help", problems)
    with me.expect_navigation():
        me.click("#round-send")  # empty: the page says what to write
    check(me, "I need help, nothing written", problems)
    me.fill("#rn-needs", "家里停电，需要手电和饮用水")
    with me.expect_navigation():
        me.click("#round-send")
    check(me, "answered", problems)
    saved = RoundEntry.objects.unrestricted().get(pk=father.pk)
    assert (saved.status, saved.source) == ("needs_help", "self")

    daughter_phone = new_context(PHONE)
    attach_session(daughter_phone, live_server.url, cast.family)
    her = daughter_phone.new_page()
    own = entry_of(found, cast.family_record)
    her.goto(f"{live_server.url}/rounds/me/{own.pk}/")
    check(her, "the daughter's question", problems)
    with her.expect_navigation():
        her.click("#round-safe")
    check(her, "the daughter answered", problems)
    assert RoundEntry.objects.unrestricted().get(pk=own.pk).status == "safe"

    desk = new_context(DESKTOP)
    attach_session(desk, live_server.url, cast.bureau_admin)
    staff = desk.new_page()
    staff.goto(f"{live_server.url}/rounds/{found.pk}/")
    assert staff.locator("#round-counts").get_attribute("data-not-reached") == "0"
    problems += axe_problems(staff, "the round page")
    for path, where in (
        ("/rounds/", "the rounds"),
        ("/rounds/open/", "opening a round"),
        (f"/rounds/{found.pk}/?status=needs_help", "the round, needing help"),
        (f"/rounds/{found.pk}/entries/{father.pk}/", "an entry and its history"),
        (f"/rounds/{found.pk}/close/", "closing"),
        (f"/rounds/{found.pk}/report/", "the report"),
    ):
        staff.goto(f"{live_server.url}{path}")
        problems += axe_problems(staff, where)
        if path.endswith("needs_help"):
            staff.screenshot(path=str(shots() / "rounds-round-1280.png"), full_page=True)
    # A phone of staff too: the round page at 390 px does not scroll sideways.
    staff_phone = new_context(PHONE)
    attach_session(staff_phone, live_server.url, cast.clerk)
    clerk = staff_phone.new_page()
    clerk.goto(f"{live_server.url}/rounds/{found.pk}/?status=")
    problems += layout_problems(clerk, "the round page on a clerk's phone", PHONE["width"])
    problems += axe_problems(clerk, "the round page on a clerk's phone")
    assert problems == []
    assert not phone.console_log.csp_violations(), phone.console_log
    assert not desk.console_log.csp_violations(), desk.console_log

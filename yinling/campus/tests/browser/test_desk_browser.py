"""The desk in a real browser: a clerk enrols a retiree on their behalf (代办) with the person picker on the
class page and sees the answer; the desk's pages pass axe and do not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.campus.models import Enrolment
from yinling.campus.tests import factories as f
from yinling.core.tests.browser.conftest import DESKTOP
from yinling.core.tests.browser.helpers import attach_session, axe_problems, layout_problems
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser


def test_it_enrols_on_behalf_with_the_picker_and_passes_axe(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    school = f.school(cast.tree.county_a)
    site = f.site(school)
    term = f.term(school)
    section = f.section(term, site, capacity=1)
    person = f.person(cast.tree.unit_a, name="李桂兰")
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, cast.clerk)
    tab = context.new_page()
    problems: list[str] = []
    for url in (
        "/campus/desk/classes/",
        "/campus/desk/classes/add/",
        "/campus/desk/terms/add/",
        f"/campus/desk/terms/{term.pk}/",
        "/campus/desk/enrolments/",
        "/campus/desk/pledges/add/",
        "/campus/desk/sites/add/",
    ):
        tab.goto(url)
        problems += axe_problems(tab, url) + layout_problems(tab, url, DESKTOP["width"])

    tab.goto(f"/campus/desk/classes/{section.pk}/")
    box = tab.locator("#id_retiree__text")
    box.click()
    box.type("李桂")
    option = tab.locator("#id_retiree__options [role='option']").first
    option.wait_for()
    problems += axe_problems(tab, "class page, person list open")
    option.click()
    assert tab.locator("#id_retiree").input_value() == str(person.pk)
    with tab.expect_navigation():
        tab.locator("main form[action$='/enrol/'] button[type='submit']").click()
    assert "李桂兰" in tab.locator(".messages").inner_text()
    assert Enrolment.objects.unrestricted().get(retiree=person).status == "enrolled"
    assert "李桂兰" in tab.locator("main table").first.inner_text()
    problems += axe_problems(tab, "class page after enrolling")
    problems += layout_problems(tab, "class page after enrolling", DESKTOP["width"])
    assert problems == []
    assert context.console_log.csp_violations() == []

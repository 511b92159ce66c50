"""The search picker in a real browser, on a desktop and a phone: by keyboard and by tap.

A clerk finds a person's moves by typing pinyin initials into the moves page's person picker and
choosing with the arrow keys and Enter; then moves a record to another city by typing part of the
destination's name and tapping it. The open list and the pages pass axe (no serious or critical
violation), show no CSP violation, and fit a 390 px phone without sideways scrolling.
"""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.helpers import attach_session, axe_problems, layout_problems, path_of
from yinling.registry.models import Retiree, Transfer
from yinling.registry.tests.test_api import make
from yinling.testing.personas import make_tree, make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_it_chooses_a_person_by_keyboard_and_an_org_by_tap(
    new_context: Any, live_server: Any, viewport: dict[str, int]
) -> None:
    tree = make_tree()
    clerk = make_user("clerk", tree.county_a, roles.CLERK)
    zhang = make(tree.unit_a, 1, name="张建国")
    hua = make(tree.county_a, 2, name="张建华")
    make(tree.county_b, 3, name="张外区")
    for person in (zhang, hua):
        Transfer.objects.create(retiree=person, from_org=tree.county_a, to_org=person.org, reason="调整", by="clerk")
    context = new_context(viewport)
    attach_session(context, live_server.url, clerk)
    page = context.new_page()
    width = viewport["width"]
    problems: list[str] = []

    # The person picker, by keyboard alone: Tab into it, type, arrows, Enter.
    page.goto("/registry/moves/")
    box = page.locator("#id_person__text")
    assert page.locator("label[for='id_person__text']").count() == 1
    box.focus()
    page.keyboard.type("zj")
    page.locator("#id_person__options [role='option']").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("#id_person__options [role='option']")
    assert sorted(t.split()[0] for t in options.all_inner_texts()) == ["张建华", "张建国"]  # never 张外区
    assert "2" in page.locator("#id_person__status").inner_text()  # announced: 找到 2 项
    problems += axe_problems(page, f"moves, person list open at {width}")
    problems += layout_problems(page, f"moves, person list open at {width}", width)
    page.keyboard.type("g")  # zjg: one match left
    options.nth(1).wait_for(state="detached")  # the list, asked again, holds one person
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "id_person__options-0"
    page.keyboard.press("Enter")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("#id_person").input_value() == str(zhang.pk)
    assert box.input_value().startswith("张建国（")
    # Escape closes a list without choosing.
    page.locator("#id_org__text").focus()
    page.keyboard.type("西湖")
    page.locator("#id_org__options [role='option']").first.wait_for()
    page.keyboard.press("Escape")
    assert page.locator("#id_org__text").get_attribute("aria-expanded") == "false"
    page.locator("#id_org__text").fill("")
    with page.expect_navigation():
        page.locator("main form[role='search'] button[type='submit']").click()
    assert "person=" in page.url and "person__text" not in page.url
    assert page.locator("main table tbody tr").count() == 1
    assert "张建国" in page.locator("main table tbody").inner_text()
    assert page.locator("#id_person__text").input_value().startswith("张建国（")
    problems += axe_problems(page, f"moves filtered at {width}") + layout_problems(page, "moves filtered", width)

    # The org picker, by tap: a move to another city's county.
    page.goto(f"/registry/{zhang.pk}/move/")
    org_box = page.locator("#id_to_org__text")
    org_box.click()
    org_box.type("鄞州")
    option = page.locator("#id_to_org__options [role='option']").first
    option.wait_for()
    problems += axe_problems(page, f"move form, org list open at {width}")
    problems += layout_problems(page, f"move form, org list open at {width}", width)
    option.click()
    assert page.locator("#id_to_org").input_value() == "330212"
    page.locator("#id_reason").fill("随子女迁居宁波")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    assert path_of(page) in ("/registry/moves/", f"/registry/{zhang.pk}/")
    assert Retiree.objects.get(pk=zhang.pk).org == tree.county_b
    assert problems == []
    assert context.console_log.csp_violations() == [] and list(context.console_log) == []

"""The staff shell in Chromium (issue #11): the sidebar by module that collapses to icons and remembers it,
the quick search that "/" opens and that answers as one types, filter chips that remove themselves, the org
tree that opens, and on a phone the same items in the top bar's menu; axe on each state."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.testing.personas import make_cast, make_retiree_record

from .conftest import DESKTOP, PHONE
from .helpers import attach_session, axe_problems, layout_problems, path_of

pytestmark = pytest.mark.browser


def test_the_sidebar_collapses_to_icons_and_remembers_it(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, cast.bureau_admin)
    page = context.new_page()
    page.goto("/registry/")
    sidebar = page.locator("#yl-sidebar")
    assert sidebar.is_visible()
    groups = sidebar.locator(".yl-side-group").all_inner_texts()
    assert {"工作台", "信息库", "组织与人员"} <= set(groups), groups
    active = sidebar.locator("a[aria-current=page]")
    assert active.get_attribute("href") == "/registry/"
    problems = axe_problems(page, "registry list with the sidebar")
    wide = sidebar.bounding_box()
    sidebar.locator("[data-yl-sidebar-toggle]").click()
    narrow = sidebar.bounding_box()
    assert wide and narrow and narrow["width"] < wide["width"] / 2, (wide, narrow)
    assert sidebar.locator("[data-yl-sidebar-toggle]").get_attribute("aria-expanded") == "false"
    # The words are still there for screen readers (visually hidden), and the choice survives a reload.
    assert sidebar.get_by_role("link", name="组织机构").count() == 1
    page.reload()
    assert page.locator("body").get_attribute("class") and "yl-nav-collapsed" in page.locator("body").get_attribute(
        "class"
    )
    problems += axe_problems(page, "collapsed sidebar")
    assert not problems, "\n".join(problems)


def test_slash_opens_the_quick_search_which_answers_as_one_types(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    make_retiree_record(cast.tree.city_b, "张外人", "13700137000", 3)  # another city: never found
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, cast.bureau_admin)
    page = context.new_page()
    page.goto("/orgs/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "yl-q"
    page.keyboard.type("张")
    results = page.locator("#yl-quick-results a")
    results.first.wait_for(state="visible")
    names = results.all_inner_texts()
    assert cast.retiree_record.name in names and "张外人" not in names
    problems = axe_problems(page, "quick search results")
    with page.expect_navigation():
        results.filter(has_text=cast.retiree_record.name).first.click()
    assert path_of(page) == f"/registry/{cast.retiree_record.pk}/"
    assert not problems, "\n".join(problems)


def test_filter_chips_remove_themselves_and_the_org_tree_opens(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, cast.bureau_admin)
    page = context.new_page()
    page.goto("/registry/?gender=F&health=good")
    chips = page.locator(".yl-chip")
    assert chips.count() == 2
    with page.expect_navigation():
        chips.filter(has_text="性别").click()
    assert "gender" not in page.url and "health=good" in page.url
    assert page.locator(".yl-chip").count() == 1
    page.goto("/orgs/_tree/")
    node = page.locator("details").first
    node.locator("summary").click()
    node.locator(".yl-tree-below summary, .yl-tree-below a").first.wait_for(state="visible")
    assert cast.tree.county_a.name in node.inner_text()
    problems = axe_problems(page, "org tree opened")
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_modules_are_in_the_top_menu(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    context = new_context(PHONE)
    attach_session(context, live_server.url, cast.bureau_admin)
    page = context.new_page()
    page.goto("/")
    assert not page.locator("#yl-sidebar").is_visible()
    page.locator(".navbar-toggler").click()
    link = page.locator("#mainnav a[href='/registry/']")
    link.wait_for(state="visible")
    problems = axe_problems(page, "phone menu") + layout_problems(page, "phone menu", PHONE["width"])
    with page.expect_navigation():
        link.click()
    assert path_of(page) == "/registry/"
    assert not problems, "\n".join(problems)

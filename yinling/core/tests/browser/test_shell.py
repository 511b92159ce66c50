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
    node = page.locator("main details").first
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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_user_menu_opens_and_closes_by_keyboard(new_context: Any, live_server: Any, viewport: Any) -> None:
    cast = make_cast()
    context = new_context(viewport)
    attach_session(context, live_server.url, cast.clerk)
    page = context.new_page()
    page.goto("/registry/")
    menu = page.locator("#yl-usermenu")
    summary = menu.locator("summary")
    assert summary.is_visible()
    # Name and role, read out at every width (shown beside the icon from 576 px up).
    assert cast.clerk.display_name in summary.text_content() and "经办人" in summary.text_content()
    name_box = summary.locator(".yl-usermenu-name").bounding_box()
    assert name_box and (name_box["width"] > 2) == (viewport["width"] >= 576), name_box
    # Tab from the top of the page to the menu's button: it shows where the focus is.
    page.locator("body").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#yl-usermenu summary')"):
            break
    assert page.evaluate("document.activeElement.matches('#yl-usermenu summary')"), "the menu is not reached by Tab"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), outline
    panel = menu.locator(".yl-usermenu-panel")
    assert not panel.is_visible()
    page.keyboard.press("Enter")
    panel.wait_for(state="visible")
    items = panel.locator("a, button")
    texts = [t.strip() for t in items.all_text_contents()]
    assert {"我的账号", "我的任务", "退出登录"} <= set(texts), texts
    logout = panel.locator("form[action='/accounts/logout/']")
    assert logout.get_attribute("method") == "post"
    box = panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box  # inside the screen
    problems = axe_problems(page, f"user menu open at {viewport['width']}")
    if viewport is PHONE:
        problems += layout_problems(page, "user menu open", PHONE["width"])
    # The next Tab goes into the menu; Escape closes it and gives the focus back to its button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.yl-usermenu-panel') !== null")
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("document.activeElement.matches('#yl-usermenu summary')")
    # Space opens it too, and a link in it is followed with Enter.
    page.keyboard.press(" ")
    panel.wait_for(state="visible")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/accounts/me/"
    assert not problems, "\n".join(problems)

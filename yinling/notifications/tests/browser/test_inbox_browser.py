"""A retiree reads a notification in elder mode on a 390 px phone; staff read theirs on a desktop.

Every page passes axe (no serious or critical violation, contrast included), shows no CSP violation, does
not scroll sideways, and keeps elder mode's sizes (text ≥ 20 px, buttons ≥ 60 × 60 px, one item per screen
width). "Read aloud" shows where the browser has speech synthesis and stays hidden where it has none.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.helpers import BODY_TEXT_JS, BOX_JS, attach_session, axe_problems, layout_problems
from yinling.notifications.models import Notification
from yinling.notifications.services import notify
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser


def elder_problems(page: Any, where: str) -> list[str]:
    problems = axe_problems(page, where) + layout_problems(page, where, PHONE["width"])
    assert page.locator("body").get_attribute("class") == "elder", where
    body = page.evaluate(BODY_TEXT_JS)
    if body["fontSize"] < 20 or body["lineHeight"] < 1.3 * body["fontSize"]:
        problems.append(f"{where}: body text {body}")
    texts = page.eval_on_selector_all(".yl-note-text", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    if any(size < 20 for size in texts):
        problems.append(f"{where}: notification text under 20 px: {texts}")
    boxes = [b for b in page.eval_on_selector_all("main .btn", f"els => els.map({BOX_JS})") if b["visible"]]
    small = [b for b in boxes if b["h"] < 60 or b["w"] < 60]
    if small:
        problems.append(f"{where}: buttons under 60 × 60 px: {small}")
    main = page.eval_on_selector("main", BOX_JS)
    cards = page.eval_on_selector_all(".yl-note", f"els => els.map({BOX_JS})")
    if any(c["w"] < main["w"] - 40 for c in cards):
        problems.append(f"{where}: an item narrower than the screen: {cards} in {main}")
    return problems


def test_it_lets_a_retiree_read_a_notification_in_elder_mode_on_a_phone(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    cast.retiree.elder_mode = True
    cast.retiree.save()
    older = notify(cast.retiree, "timebank.taken_on", "您的助餐需求（03-02 11:00）已有志愿者接单。", "/timebank/")[0]
    notify(cast.retiree, "timebank.to_confirm", "您的助餐服务（03-02 11:00）已完成，请确认 2 小时。", "/timebank/")

    context = new_context(PHONE)
    attach_session(context, live_server.url, cast.retiree)
    page = context.new_page()
    page.goto("/notifications/")
    problems = elder_problems(page, "inbox (2 unread)")
    assert page.locator("#yl-bell .badge").inner_text() == "2"
    items = page.locator(".yl-note")
    assert items.count() == 2
    assert "请确认" in items.nth(0).inner_text()  # newest first
    # Chromium has speech synthesis: a read-aloud button on every item.
    assert page.evaluate("'speechSynthesis' in window")
    assert page.locator("button.yl-speak:visible").count() == 2
    page.locator("button.yl-speak").first.click()  # speaks; nothing breaks

    # Mark the older one read (htmx swaps the inbox and the bell; no reload).
    items.nth(1).get_by_role("button", name="标为已读").click()
    expect(page.locator("#yl-bell .badge")).to_have_text("1")
    assert page.locator(".yl-unread").count() == 1
    # The swapped list may land under the pointer: move it away and let the buttons' colour transition end,
    # or axe measures a hover colour half-way (a contrast of 1.7 to 4.49 that no one sees at rest).
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)
    problems += elder_problems(page, "inbox (1 unread)")
    older.refresh_from_db()
    assert older.read_at is not None

    # Its link leads to the service, and it is read.
    page.locator(".yl-note").nth(0).get_by_role("link", name="查看详情").click()
    page.wait_for_url("**/timebank/")
    assert Notification.objects.unrestricted().filter(recipient=cast.retiree, read_at__isnull=True).count() == 0
    page.goto("/notifications/")
    assert page.locator("#yl-bell .badge").count() == 0
    assert page.locator(".yl-unread").count() == 0
    assert not context.console_log.csp_violations(), context.console_log
    assert not problems, "\n".join(problems)


def test_it_hides_read_aloud_where_the_browser_cannot_speak(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    notify(cast.retiree, "k", "您有一条新通知。")
    context = new_context(PHONE)
    context.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    attach_session(context, live_server.url, cast.retiree)
    page = context.new_page()
    page.goto("/notifications/")
    assert page.locator(".yl-note").count() == 1
    assert page.locator("button.yl-speak").count() == 1
    assert page.locator("button.yl-speak:visible").count() == 0


def test_it_passes_axe_for_staff_and_marks_all_read_without_javascript(
    browser: Any, new_context: Any, live_server: Any
) -> None:
    cast = make_cast()
    for i in range(3):
        notify(cast.clerk, "k", f"有一项服务待处理（{i}）。", "/timebank/requests/")
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    try:
        attach_session(context, live_server.url, cast.clerk)
        page = context.new_page()
        page.goto("/notifications/")
        assert page.locator(".yl-unread").count() == 3
        page.get_by_role("button", name="全部标为已读").click()
        page.wait_for_url("**/notifications/")
        assert page.locator(".yl-unread").count() == 0
    finally:
        context.close()
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, cast.clerk)
    page = context.new_page()
    page.goto("/notifications/")
    problems = axe_problems(page, "staff inbox")
    page.goto("/accounts/me/")
    problems += axe_problems(page, "account page with notification settings")
    assert page.locator("#notification-settings input[name='notify-email']").is_checked()
    assert not problems, "\n".join(problems)

"""Small helpers shared by the browser tests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from yinling.testing.personas import PASSWORD

# Chromium's own values for elder mode checks, read in the page.
BOX_JS = """el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return {w: r.width, h: r.height, visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden',
          text: (el.innerText || el.value || '').trim()}; }"""
BODY_TEXT_JS = """() => { const s = getComputedStyle(document.body);
  return {fontSize: parseFloat(s.fontSize), lineHeight: parseFloat(s.lineHeight)}; }"""
SCROLL_WIDTH_JS = "() => document.documentElement.scrollWidth"


def zh(message: str) -> str:
    """What the page shows for `message` in the default language (Chinese, once translated)."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


def en(message: str) -> str:
    with translation.override("en"):
        return translation.gettext(message)


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def open_user_menu(page: Any) -> Any:
    """Open the staff user menu in the top bar (a <details>) and answer it."""
    menu = page.locator("#yl-usermenu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu


def sign_out(page: Any) -> None:
    """Sign out with the user menu's button (staff) or the navbar's (retirees; on a phone its menu opens first)."""
    if page.locator("#yl-usermenu").count():
        button = open_user_menu(page).locator("form[action='/accounts/logout/'] button")
    else:
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        button = page.locator("#mainnav form[action='/accounts/logout/'] button")
    button.wait_for(state="visible")
    with page.expect_navigation():
        button.click()


def attach_session(context: Any, base_url: str, user: Any, *, two_factor_done: bool = True) -> None:
    """Put a signed-in session for `user` into the browser context.

    The sign-in flows themselves are tested through the forms; pages that only need a
    signed-in user start from a ready session, which keeps the suite fast. With
    two_factor_done (the default) an admin-role user is past two-factor sign-in too.
    """
    from django.test import Client

    from yinling.testing.permissions import login_client

    if two_factor_done:
        client = login_client(user)
    else:
        client = Client()
        client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def path_of(page: Any) -> str:
    from urllib.parse import urlsplit

    return urlsplit(page.url).path


_AXE: Any = None


def axe_problems(page: Any, where: str) -> list[str]:
    """Serious and critical axe-core violations on the page, one readable line per element."""
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    results = _AXE.run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in ("serious", "critical"):
            continue
        for node in violation["nodes"]:
            problems.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {', '.join(map(str, node['target']))}"
                f" — {violation['help']} [{node.get('failureSummary', '').replace(chr(10), ' ')}]"
            )
    return problems


def layout_problems(page: Any, where: str, width: int) -> list[str]:
    """No horizontal scrolling at the viewport width (a 390 px phone)."""
    scroll_width = page.evaluate(SCROLL_WIDTH_JS)
    if scroll_width > width + 1:
        wide = page.evaluate(
            """w => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > w + 1)
                 .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (typeof e.className === 'string' && e.className
                      ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
            width,
        )
        return [f"{where}: page is {scroll_width}px wide at a {width}px viewport (too wide: {wide})"]
    return []

"""Printing from the browser: with print media emulated, a page shows its content only (no navigation,
toolbar, breadcrumbs, buttons or filter forms), in black on white, and its PDF link answers a PDF.

The member's statement is checked on a 390 px phone in elder mode (axe and the elder-friendly sizes on
screen first), a staff record page at 1280 px.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.helpers import attach_session
from yinling.testing.pdf import without_weasyprint
from yinling.testing.personas import make_personas
from yinling.timebank import services
from yinling.timebank.tests.browser.test_timebank_flow import check
from yinling.timebank.tests.factories import person, sign_in_account

pytestmark = pytest.mark.browser
H = Decimal

SCREEN_ONLY = ["header nav", ".yl-toolbar", "footer", "nav[aria-label] .breadcrumb", ".yl-pdf-link", "main form"]

STYLE_JS = """sel => { const el = document.querySelector(sel); if (!el) return null;
  const s = getComputedStyle(el); return {color: s.color, background: s.backgroundColor}; }"""


AFTER_JS = """() => { const main = document.querySelector('main');
  const add = href => { const a = document.createElement('a'); a.href = href; a.textContent = 'x';
    main.querySelector('h1').appendChild(a); return getComputedStyle(a, '::after').content; };
  return {internal: add('/timebank/'), external: add('https://example.org/')}; }"""


def hidden_in_print(page: Any, selectors: list[str]) -> list[str]:
    """The selectors (that exist on the page) still visible under print media."""
    return [s for s in selectors if page.locator(s).count() and page.locator(s).first.is_visible()]


def test_the_statement_prints_only_the_statement(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    elder = person(p.tree.unit_a, age=86, name="李秀英", living="alone")
    services.do_join(by=None, retiree=elder)
    for reason in ("重阳慰问", "春节慰问"):
        services.do_grant(by=p.owner, retiree=elder, hours=H("2"), reason=reason)
    sign_in_account(elder)

    context = new_context(PHONE)
    attach_session(context, live_server.url, elder.account)
    page = context.new_page()
    page.goto("/timebank/statement/")
    problems: list[str] = []
    check(page, "statement on screen", problems)
    assert not problems, "\n".join(problems)
    assert page.locator(".yl-pdf-link").is_visible()  # on screen the link is there
    assert not page.locator(".tb-signature").is_visible()

    page.emulate_media(media="print")
    assert hidden_in_print(page, SCREEN_ONLY) == []
    assert page.locator("main h1").is_visible() and page.locator("main table").is_visible()
    assert (
        page.locator("main table tbody tr").count() == 2
        and page.locator("main table").get_by_text("重阳慰问").is_visible()
    )
    assert page.locator(".tb-signature").is_visible()  # what only paper needs
    body = page.evaluate(STYLE_JS, "body")
    assert body == {"color": "rgb(0, 0, 0)", "background": "rgb(255, 255, 255)"}, body
    cell = page.evaluate(STYLE_JS, "main table td")
    assert cell["color"] == "rgb(0, 0, 0)", cell
    # Rows are kept whole across pages, and the heading row repeats.
    assert page.evaluate("getComputedStyle(document.querySelector('main tbody tr')).breakInside") == "avoid"
    assert page.evaluate("getComputedStyle(document.querySelector('main thead')).display") == "table-header-group"
    # An internal link prints as its text; an outside one keeps its address after it.
    after = page.evaluate(AFTER_JS)
    assert after["internal"] in ("none", "normal") and "https://example.org/" in after["external"], after

    page.emulate_media(media="screen")
    href = page.locator(".yl-pdf-link").get_attribute("href")
    answer = context.request.get(href)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")

    # A server without WeasyPrint: the page says so in place of the link, and the PDF address
    # answers with a plain page that passes the same checks (axe, elder-mode sizes at 390 px).
    with without_weasyprint(OSError("cannot load library 'libpango-1.0-0'")):
        page.goto("/timebank/statement/")
        assert page.locator(".yl-pdf-link").count() == 0 and page.locator(".yl-pdf-missing").is_visible()
        check(page, "statement without PDFs", problems)
        page.goto(href)
        assert "PDF" in page.locator("main h1").inner_text()
        check(page, "PDF not available", problems)
    assert not problems, "\n".join(problems)


def test_a_staff_record_page_prints_without_its_chrome(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    elder = person(p.tree.unit_a, age=86, name="李秀英")
    context = new_context(DESKTOP)
    attach_session(context, live_server.url, p.owner)
    page = context.new_page()
    page.goto(f"/registry/{elder.pk}/")
    assert page.locator("main .btn").first.is_visible()
    page.emulate_media(media="print")
    assert hidden_in_print(page, [*SCREEN_ONLY, "main .btn", ".skip-link"]) == []
    assert page.locator("main h1").is_visible() and "李秀英" in page.locator("main h1").inner_text()
    assert page.locator("#s-identity").is_visible() and page.locator("#id-number").is_visible()

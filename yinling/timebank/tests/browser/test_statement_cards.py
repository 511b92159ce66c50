"""The statement on a phone: each movement a card under its month heading, nothing wider than the screen;
from 768 px up the table (issue #11)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.helpers import attach_session
from yinling.testing.personas import make_personas
from yinling.timebank import services
from yinling.timebank.tests.browser.test_timebank_flow import check
from yinling.timebank.tests.factories import person, sign_in_account

pytestmark = pytest.mark.browser
H = Decimal
OVERFLOW_JS = "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def test_the_statement_is_cards_by_month_on_a_phone_and_a_table_on_a_desk(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    elder = person(p.tree.unit_a, age=86, name="李秀英", living="alone")
    services.do_join(by=None, retiree=elder)
    now = dt.datetime.now(dt.UTC)
    for days, reason in ((40, "重阳慰问这是一段很长很长的说明文字用来检查卡片会不会撑出屏幕之外"), (2, "春节慰问")):
        with time_machine.travel(now - dt.timedelta(days=days), tick=False):
            services.do_grant(by=p.owner, retiree=elder, hours=H("2"), reason=reason)
    sign_in_account(elder)

    phone = new_context(PHONE)
    attach_session(phone, live_server.url, elder.account)
    page = phone.new_page()
    page.goto("/timebank/statement/?since=2000-01-01")
    assert page.locator(".tb-card").count() == 2 and not page.locator("main table").is_visible()
    months = page.locator(".tb-month").all_inner_texts()
    assert len(months) == len({(now - dt.timedelta(days=d)).strftime("%Y-%m") for d in (40, 2)}), months
    assert all("年" in m and "月" in m for m in months), months
    first = page.locator(".tb-card").first.inner_text()
    assert "+2" in first and "余额" in first, first
    assert page.evaluate(OVERFLOW_JS) <= 0, "the page scrolls sideways"
    problems: list[str] = []
    check(page, "statement cards", problems)
    assert not problems, "\n".join(problems)

    desk = new_context(DESKTOP)
    attach_session(desk, live_server.url, elder.account)
    wide = desk.new_page()
    wide.goto("/timebank/statement/?since=2000-01-01")
    assert wide.locator("main table tbody tr").count() == 2 and not wide.locator(".tb-card").first.is_visible()

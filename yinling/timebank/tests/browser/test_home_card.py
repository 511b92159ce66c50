"""A retiree's home on a phone in elder mode: the service to confirm is the first card, and confirming it
from there takes two taps (issue #11)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.helpers import attach_session
from yinling.testing.personas import make_personas
from yinling.timebank.models import ServiceRequest
from yinling.timebank.tests.browser.test_timebank_flow import check
from yinling.timebank.tests.factories import service_to_confirm, sign_in_account

pytestmark = pytest.mark.browser
H = Decimal


def test_a_retiree_confirms_a_service_from_the_top_card(new_context: Any, live_server: Any) -> None:
    elder, _helper, need = service_to_confirm(make_personas())
    sign_in_account(elder)
    context = new_context(PHONE)
    attach_session(context, live_server.url, elder.account)
    page = context.new_page()
    page.goto("/")
    problems: list[str] = []
    check(page, "retiree home", problems)
    assert not problems, "\n".join(problems)
    first = page.locator("main .yl-card-first").first
    assert "王志强" in first.inner_text()
    tile = page.locator(".yl-tile").first.bounding_box()
    assert tile and tile["height"] >= 120 and tile["width"] >= 150, tile  # a large target with its icon
    with page.expect_navigation():
        first.locator("a.btn").click()
    assert page.url.endswith(f"/timebank/needs/{need.pk}/confirm/")
    page.locator("label[for$='_4'], input[value='5'] + label, label:has-text('5')").first.click()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    need.refresh_from_db()
    assert need.status == ServiceRequest.Status.CONFIRMED
    page.goto("/")
    titles = page.locator("main .yl-card-first h3").all_inner_texts()
    assert "有一项服务等您确认" not in titles, titles  # the notices about it may still wait unread

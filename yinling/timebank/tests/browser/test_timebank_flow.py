"""The time bank on a 390 px phone in elder mode: a need posted, taken on, done, confirmed; both balances move.

Every page on the way passes axe (no serious or critical violation), shows no CSP
violation, does not scroll sideways, and keeps elder mode's sizes (text ≥ 18 px, buttons
≥ 60 × 60 px).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.helpers import (
    BODY_TEXT_JS,
    BOX_JS,
    attach_session,
    axe_problems,
    layout_problems,
    path_of,
)
from yinling.testing.personas import make_personas
from yinling.timebank import services
from yinling.timebank.models import ServiceRequest
from yinling.timebank.tests.factories import person, relate, sign_in_account

pytestmark = pytest.mark.browser
H = Decimal


def check(page: Any, where: str, problems: list[str]) -> None:
    """axe, layout at 390 px and elder-mode sizes for the page as it stands."""
    problems += axe_problems(page, where)
    problems += layout_problems(page, where, PHONE["width"])
    assert page.locator("body").get_attribute("class") == "elder", where
    body = page.evaluate(BODY_TEXT_JS)
    if body["fontSize"] < 18 or body["lineHeight"] < 1.3 * body["fontSize"]:
        problems.append(f"{where}: body text {body}")
    boxes = [b for b in page.eval_on_selector_all("main .btn", f"els => els.map({BOX_JS})") if b["visible"]]
    small = [b for b in boxes if b["h"] < 60 or b["w"] < 60]
    if small:
        problems.append(f"{where}: buttons under 60 × 60 px: {small}")
    choices = [b for b in page.eval_on_selector_all("main .tb-choice", f"els => els.map({BOX_JS})") if b["visible"]]
    if any(b["h"] < 60 for b in choices):
        problems.append(f"{where}: choices under 60 px high: {choices}")


def balance_on(page: Any) -> str:
    page.goto("/timebank/")
    return page.locator("#tb-balance").inner_text().strip()


def test_it_runs_a_service_from_need_to_confirmation_on_a_phone(new_context: Any, live_server: Any) -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    # A 72-year-old with hours of her own (not a priority elder: she pays from her balance).
    recipient = person(p.tree.unit_a, age=72, name="陈秀兰")
    services.do_grant(by=p.owner, retiree=recipient, hours=H("5"), reason="社区补助")
    provider = person(p.tree.unit_a, age=63, name="王志强")
    services.do_join(by=None, retiree=provider, as_provider=True)
    relate(provider, person(p.tree.unit_a, age=90, name="王老太"), "母亲")
    sign_in_account(recipient)
    sign_in_account(provider)

    problems: list[str] = []
    her_context = new_context(PHONE)
    attach_session(her_context, live_server.url, recipient.account)
    her = her_context.new_page()
    his_context = new_context(PHONE)
    attach_session(his_context, live_server.url, provider.account)
    him = his_context.new_page()

    assert balance_on(her) == "5.00"
    check(her, "member home (recipient)", problems)
    assert balance_on(him) == "0.00"
    check(him, "member home (provider)", problems)

    # She posts a need: help with the phone, tomorrow at 10, about 2 hours.
    with her.expect_navigation():
        her.click("main a[href='/timebank/needs/new/']")
    check(her, "post a need", problems)
    her.click("label:text-is('智能手机教学')")
    her.fill("#id_day", (timezone.localdate() + dt.timedelta(days=1)).isoformat())
    her.fill("#id_start", "10:00")
    her.select_option("#id_expected_hours", "2")
    her.fill("#id_description", "教我用手机和孙子视频")
    with her.expect_navigation():
        her.click("main form button[type=submit]")
    assert path_of(her) == "/timebank/"
    need = ServiceRequest.objects.get()
    assert need.status == "open" and not need.paid_by_pool
    check(her, "member home with a pending need", problems)

    # He finds it on the board and takes it on.
    with him.expect_navigation():
        him.click("main a[href='/timebank/board/']")
    check(him, "needs board", problems)
    card = him.locator(f"article[data-need='{need.pk}']")
    assert "教我用手机和孙子视频" in card.inner_text()
    with him.expect_navigation():
        card.locator("button[type=submit]").click()
    assert path_of(him) == "/timebank/services/"
    check(him, "my services", problems)

    # The appointed time has come (hours are recorded only once a service has started): done, he records them.
    start = timezone.now() - dt.timedelta(minutes=30)
    ServiceRequest.objects.filter(pk=need.pk).update(starts_at=start, ends_at=start + (need.ends_at - need.starts_at))
    him.fill(f"#hours-{need.pk}", "2")
    with him.expect_navigation():
        him.click(f"form[action='/timebank/services/{need.pk}/report/'] button[type=submit]")
    need.refresh_from_db()
    assert need.status == "reported" and need.actual_hours == H("2")

    # She confirms with a rating, in words as well as stars.
    her.goto("/timebank/")
    with her.expect_navigation():
        her.click(f"main a[href='/timebank/needs/{need.pk}/confirm/']")
    check(her, "confirm with a rating", problems)
    her.click("label[for='id_rating_0']")  # 5 stars: very satisfied
    assert her.is_checked("#id_rating_0")
    with her.expect_navigation():
        her.click("main form button[type=submit]")
    assert path_of(her) == "/timebank/"
    need.refresh_from_db()
    assert need.status == "confirmed" and need.rating == 5

    # Both balances moved: 2 hours from her to him.
    assert balance_on(her) == "3.00"
    assert balance_on(him) == "2.00"
    check(him, "member home after the service", problems)

    # The rest of his member pages.
    for path in ("/timebank/statement/", "/timebank/donate/", "/timebank/gift/"):
        him.goto(path)
        check(him, path, problems)
    assert not her_context.console_log.csp_violations(), her_context.console_log
    assert not his_context.console_log.csp_violations(), his_context.console_log
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["1280", "390"])
def test_it_keeps_the_staff_pages_accessible(new_context: Any, live_server: Any, viewport: dict[str, int]) -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    elder = person(p.tree.unit_a, age=88, name="李秀英")
    helper = person(p.tree.unit_a, age=63, name="王志强")
    services.do_join(by=None, retiree=helper, as_provider=True)
    grant = services.do_grant(by=p.owner, retiree=elder, hours=H("4"), reason="慰问").transfer
    start = timezone.now() - dt.timedelta(minutes=30)  # under way: its hours may be reported
    need = services.do_post_need(
        by=p.owner,
        recipient=elder,
        category="meals",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("1"),
    )
    services.do_accept(by=None, need=need, provider=helper)
    services.do_report(by=None, need=need, hours=H("1"))
    context = new_context(viewport)
    attach_session(context, live_server.url, p.owner)
    page = context.new_page()
    problems: list[str] = []
    for path in (
        "/timebank/",
        "/timebank/members/",
        f"/timebank/members/{elder.pk}/",
        f"/timebank/members/{elder.pk}/statement/",
        "/timebank/members/enrol/?q=王",
        "/timebank/requests/",
        f"/timebank/requests/{need.pk}/",
        "/timebank/requests/add/",
        f"/timebank/needs/{need.pk}/confirm/",
        "/timebank/ledger/",
        f"/timebank/ledger/{grant.pk}/reverse/",
        "/timebank/pools/",
        "/timebank/pools/330100/",
        "/timebank/reports/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        problems += axe_problems(page, path)
        problems += layout_problems(page, path, viewport["width"])
    assert not context.console_log.csp_violations(), context.console_log
    assert problems == [], "\n".join(problems)

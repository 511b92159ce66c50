"""Sign-in, navigation, elder mode, language, two-factor enrolment and lockout in a real browser."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from yinling.accounts import roles
from yinling.accounts.models import User
from yinling.testing.personas import make_personas, make_tree, make_user

from .conftest import PHONE
from .helpers import BODY_TEXT_JS, BOX_JS, en, open_user_menu, path_of, sign_in, sign_out, zh

pytestmark = pytest.mark.browser


def nav_hrefs(page: Any) -> list[str]:
    return page.eval_on_selector_all("#mainnav a.nav-link", "els => els.map(e => e.getAttribute('href'))")


def test_it_signs_in_and_navigates_as_a_bureau_admin(page: Any) -> None:
    p = make_personas()  # owner: bureau admin on city A (330100)
    make_user("clerk-a", p.tree.county_a, roles.CLERK)

    sign_in(page, "owner")
    assert path_of(page) == "/"
    assert page.locator("h1").inner_text() == zh("Welcome, %(name)s") % {"name": "owner"}

    # Real figures for city A's subtree: two bureaus, one unit, four active staff accounts.
    cards = page.eval_on_selector_all(
        ".figure-card",
        """els => els.map(e => [e.querySelector('.figure-value').innerText.trim(),
                                                 e.querySelector('a') && e.querySelector('a').innerText.trim()])""",
    )
    figures = {label: value for value, label in cards}
    assert figures[zh("Bureaus in my scope")] == "2"
    assert figures[zh("Units and stations")] == "1"
    assert figures[zh("Active staff accounts")] == "4"
    assert zh("Audit records today") not in figures  # bureau admins do not read the trail

    # Navigate with the menu to the org list, filter it, open one org.
    with page.expect_navigation():
        page.click("#yl-sidebar a[href='/orgs/']")
    assert path_of(page) == "/orgs/"
    assert page.locator("#yl-sidebar a[href='/orgs/']").get_attribute("aria-current") == "page"
    rows = page.locator("table tbody tr")
    assert rows.count() == 3  # city A, county A1 and its unit; nothing of city B
    assert "宁波" not in page.locator("table").inner_text()
    page.fill("#id_q", "西湖")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert "q=%E8%A5%BF%E6%B9%96" in page.url
    codes = page.eval_on_selector_all("table tbody tr td:first-child", "els => els.map(e => e.innerText.trim())")
    assert sorted(codes) == ["330106", "330106U01"]
    with page.expect_navigation():
        page.click("table a:text-is('西湖区委老干部局')")
    assert path_of(page) == "/orgs/330106/"
    assert page.locator("h1").inner_text() == "西湖区委老干部局"
    assert "杭州市委老干部局" in page.locator("nav[aria-label] .breadcrumb").inner_text()

    # And on to the staff list, which holds city A's staff only.
    with page.expect_navigation():
        page.click("#yl-sidebar a[href='/accounts/users/']")
    assert path_of(page) == "/accounts/users/"
    staff = page.locator("table").inner_text()
    for username in ("owner", "limited", "norole", "clerk-a"):
        assert username in staff
    assert "outsider" not in staff
    assert not page.context.console_log, page.context.console_log


def test_it_hides_staff_and_audit_from_a_leader(page: Any) -> None:
    make_personas()  # limited: leader on city A

    sign_in(page, "limited")
    assert path_of(page) == "/"
    hrefs = nav_hrefs(page)
    assert "/orgs/" in hrefs
    assert "/accounts/users/" not in hrefs
    assert "/audit/" not in hrefs
    nav_text = page.locator("#mainnav").inner_text()
    assert zh("Staff") not in nav_text.split("\n")
    assert zh("Audit trail") not in nav_text
    # Nor anywhere else on the home page (figures, "what you can do").
    assert page.locator("main a[href='/accounts/users/'], main a[href='/audit/']").count() == 0
    # Typing the address gives the friendly 403 page.
    response = page.goto("/accounts/users/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == zh("You do not have permission for this")


def _check_elder_layout(page: Any) -> None:
    body = page.evaluate(BODY_TEXT_JS)
    assert body["fontSize"] >= 18, body
    assert body["lineHeight"] >= 1.3 * body["fontSize"], body
    h1 = page.eval_on_selector("main h1", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert h1 >= 30
    boxes = [b for b in page.eval_on_selector_all(".btn", f"els => els.map({BOX_JS})") if b["visible"]]
    assert boxes, "no buttons measured"
    small = [b for b in boxes if b["h"] < 60 or b["w"] < 60]
    assert not small, f"buttons under 60 × 60 px in elder mode: {small}"


def test_it_keeps_elder_mode_on_the_account(new_context: Any) -> None:
    tree = make_tree()
    clerk = make_user("xihu", tree.county_a, roles.CLERK)
    page = new_context().new_page()
    sign_in(page, "xihu")
    before = page.evaluate(BODY_TEXT_JS)
    assert before["fontSize"] < 18  # standard mode to start with

    toggle = open_user_menu(page).locator("form[action='/accounts/elder-mode/'] button")
    assert toggle.get_attribute("aria-pressed") == "false"
    with page.expect_navigation():
        toggle.click()
    assert path_of(page) == "/"
    assert page.locator("body").get_attribute("class") == "elder"
    assert page.locator("form[action='/accounts/elder-mode/'] button").get_attribute("aria-pressed") == "true"
    _check_elder_layout(page)
    page.goto("/orgs/")
    _check_elder_layout(page)

    page.reload()
    _check_elder_layout(page)
    clerk.refresh_from_db()
    assert clerk.elder_mode is True

    # Sign out, forget this browser's cookies and sign in again: the setting follows the account.
    sign_out(page)
    page.context.clear_cookies()
    sign_in(page, "xihu")
    assert path_of(page) == "/"
    _check_elder_layout(page)

    # Also on another device (a phone-sized, brand-new browser context).
    phone = new_context(PHONE).new_page()
    sign_in(phone, "xihu")
    _check_elder_layout(phone)

    # And it switches back off.
    with page.expect_navigation():
        open_user_menu(page).locator("form[action='/accounts/elder-mode/'] button").click()
    assert page.evaluate(BODY_TEXT_JS)["fontSize"] < 18
    clerk.refresh_from_db()
    assert clerk.elder_mode is False


def test_it_switches_to_english_and_back(page: Any) -> None:
    tree = make_tree()
    make_user("xihu", tree.county_a, roles.CLERK)
    sign_in(page, "xihu")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    sign_out_button = page.locator("#yl-usermenu form[action='/accounts/logout/'] button")
    assert sign_out_button.text_content().strip() == zh("Sign out")

    with page.expect_navigation():
        open_user_menu(page).locator("button[name=language][value=en]").click()
    assert path_of(page) == "/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert sign_out_button.text_content().strip() == en("Sign out") == "Sign out"
    assert page.locator("h1").inner_text() == "Welcome, xihu"
    page.goto("/orgs/")
    assert page.locator("html").get_attribute("lang") == "en"  # the choice sticks

    with page.expect_navigation():
        open_user_menu(page).locator("button[name=language][value=zh-hans]").click()
    assert path_of(page) == "/orgs/"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert sign_out_button.text_content().strip() == zh("Sign out")
    assert open_user_menu(page).locator("button[name=language][value=en]").is_visible()


def test_it_enrols_an_admin_in_two_factor_on_first_sign_in(page: Any) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    tree = make_tree()
    admin = make_user("admin", tree.province, roles.SYSTEM_ADMIN)

    sign_in(page, "admin")
    assert path_of(page) == "/accounts/two-factor/"
    # Nothing else is reachable before the second factor.
    page.goto("/orgs/")
    assert path_of(page) == "/accounts/two-factor/"

    assert page.locator(".qr svg").is_visible()
    secret = page.locator("#otp-secret").inner_text().strip()
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.fill("#id_token", "000000" if code != "000000" else "111111")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert path_of(page) == "/accounts/two-factor/"
    assert page.locator("#id_token").get_attribute("aria-invalid") == "true"

    # django-otp throttles after a wrong code (1 s after the first); wait that out like a person would.
    page.wait_for_timeout(1100)
    code = f"{totp(base64.b32decode(page.locator('#otp-secret').inner_text().strip())):06d}"
    page.fill("#id_token", code)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert path_of(page) == "/orgs/"  # back where the admin was heading
    page.goto("/")
    assert page.locator("h1").inner_text() == zh("Welcome, %(name)s") % {"name": "admin"}
    assert TOTPDevice.objects.get(user=admin).confirmed


def test_it_locks_the_account_after_five_failed_sign_ins(page: Any) -> None:
    tree = make_tree()
    make_user("xihu", tree.county_a, roles.CLERK)
    for _attempt in range(5):
        sign_in(page, "xihu", "Wrong-Passw0rd!")
    assert page.locator("h1").inner_text() == zh("Account locked")

    sign_in(page, "xihu")  # the right password no longer helps
    assert page.locator("h1").inner_text() == zh("Account locked")
    page.goto("/")
    assert path_of(page) == "/accounts/login/"
    assert not User.objects.get(username="xihu").last_login

"""A retiree on a 390 px phone in elder mode applies for 住宅适老化改造 with a photo; a county clerk returns it on
the desk; the retiree fixes it; the county and the city approve every step; the retiree sees each step. Every
member page passes the elder rules (20 px text, 60 px targets, contrast, no sideways scroll) and axe with no
violation of any impact; the clerk's pages pass axe's serious and critical rules."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from yinling.cases.models import Case
from yinling.cases.services import do_decide
from yinling.cases.tests import factories as f
from yinling.core.tests.browser.conftest import DESKTOP, PHONE
from yinling.core.tests.browser.elder_rules import axe_violations, measure
from yinling.core.tests.browser.helpers import attach_session, axe_problems, layout_problems
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser


def check(page: Any, where: str, problems: list[str]) -> None:
    assert page.locator("body").get_attribute("class") == "elder", where
    problems += measure(page, where)
    problems += axe_violations(page, where)
    problems += layout_problems(page, where, PHONE["width"])


def _photo(tmp: Path) -> Path:
    from PIL import Image

    path = tmp / "bathroom.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "white").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_it_takes_a_home_adaptation_case_from_phone_to_completion(
    new_context: Any, live_server: Any, tmp_path: Path
) -> None:
    cast = make_cast()
    f.builtins(cast.tree.province)
    cast.retiree.elder_mode = True
    cast.retiree.save(update_fields=["elder_mode"])
    problems: list[str] = []
    phone = new_context(PHONE)
    attach_session(phone, live_server.url, cast.retiree)
    page = phone.new_page()

    page.goto("/cases/")
    check(page, "services I may apply for", problems)
    with page.expect_navigation():
        page.click("#cases-items li[data-code='home_adaptation'] a")
    check(page, "the form", problems)
    with page.expect_navigation():
        page.click("#cases-send")  # nothing filled in: the errors name the fields
    check(page, "the form with its errors", problems)
    page.check("text=如厕洗浴安全")
    page.check("text=80周岁以上")
    page.fill("textarea[name=address_note]", "卫生间无扶手，地面湿滑")
    page.set_input_files("input[name=photo]", str(_photo(tmp_path)))
    page.check("input[name=agree]")
    with page.expect_navigation():
        page.click("#cases-send")
    case = Case.objects.get()
    assert page.url.endswith(f"/cases/mine/{case.pk}/") and case.attachments.count() == 1
    check(page, "my case, filed", problems)

    # The county clerk returns it from the desk.
    desk = new_context(DESKTOP)
    attach_session(desk, live_server.url, cast.clerk)
    staff = desk.new_page()
    staff.goto("/cases/desk/queue/")
    problems += axe_problems(staff, "the clerk's queue")
    with staff.expect_navigation():
        staff.click(f"#cases-queue tr[data-case='{case.pk}'] a")
    problems += axe_problems(staff, "the case on the desk")
    staff.check("input[name=action][value=return]")
    staff.fill("textarea[name=comment]", "请补拍卫生间全景照片")
    with staff.expect_navigation():
        staff.click("#cases-decide-send")
    case.refresh_from_db()
    assert case.status == "returned"

    # The retiree sees what to fix, fixes it and sends it again.
    page.goto("/cases/mine/")
    check(page, "my applications", problems)
    page.goto(f"/cases/mine/{case.pk}/")
    assert "请补拍卫生间全景照片" in page.locator("#cases-fix").inner_text()
    check(page, "my case, returned", problems)
    with page.expect_navigation():
        page.click("#cases-fix-link")
    check(page, "fixing it", problems)
    page.fill("textarea[name=address_note]", "卫生间和走廊都无扶手")
    page.set_input_files("input[name=photo]", str(_photo(tmp_path)))
    with page.expect_navigation():
        page.click("#cases-send")
    case.refresh_from_db()
    assert case.status == "in_progress" and case.attachments.count() == 2

    # Two levels approve: the county's three steps, then the city's two.
    for _ in range(5):
        step = case.current_step or {}
        case = do_decide(by=cast.clerk if step["level"] == "county" else cast.bureau_admin, case=case, action="approve")
    assert case.status == "completed"
    page.goto(f"/cases/mine/{case.pk}/")
    actions = page.locator("#cases-history li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == ["filed", "return", "resubmit", *["approve"] * 5, "complete"]
    check(page, "my case, completed", problems)
    page.goto("/cases/more/")
    check(page, "other online services", problems)
    assert problems == [], "\n".join(problems)
    assert not phone.console_log.csp_violations(), phone.console_log


def test_it_passes_axe_on_the_staff_desk(new_context: Any, live_server: Any) -> None:
    from yinling.cases.services import do_file

    cast = make_cast()
    items = f.builtins(cast.tree.province)
    case = do_file(by=cast.clerk, item=items["hardship_aid"], retiree=cast.retiree_record, data=_hardship())
    desk = new_context(DESKTOP)
    attach_session(desk, live_server.url, cast.bureau_admin)
    page = desk.new_page()
    problems: list[str] = []
    for where, url in [
        ("all cases", "/cases/desk/"),
        ("the case", f"/cases/desk/{case.pk}/"),
        ("service items", "/cases/desk/items/"),
        ("an item", f"/cases/desk/items/{items['home_adaptation'].pk}/"),
        ("the form builder", f"/cases/desk/items/{items['home_adaptation'].pk}/edit/"),
        ("a new item", "/cases/desk/items/add/"),
        ("the working-day calendar", "/cases/desk/workdays/"),
    ]:
        page.goto(url)
        problems += axe_problems(page, where)
    page.goto("/cases/desk/items/add/")
    with page.expect_navigation():
        page.click("#cases-item-form button[type=submit]")  # empty: the errors on the page
    problems += axe_problems(page, "a new item with its errors")
    assert problems == [], "\n".join(problems)
    assert not desk.console_log.csp_violations(), desk.console_log


def _hardship() -> dict[str, str]:
    return {"year": "2026", "reason": "老伴住院", "income": "1800", "amount": "4000"}

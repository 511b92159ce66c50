"""A retiree on a 390 px phone in elder mode: finds a course near home, enrols and is waitlisted, applies for a
lottery class with a ranked choice, and later accepts the seat offered when one frees. Every member page and
the public lottery page pass axe and do not scroll sideways; on the member pages every piece of text is at
least 20 px and every button, link and field at least 60 px, measured in the browser."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from yinling.campus.models import Enrolment, Term
from yinling.campus.services import enrol
from yinling.campus.tests import factories as f
from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.helpers import BODY_TEXT_JS, BOX_JS, attach_session, axe_problems, layout_problems
from yinling.orgs.models import Org
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser

# The smallest computed font size of any element in <main> that shows text of its own.
MIN_TEXT_JS = """() => { let min = 1000, at = '';
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const r = el.getBoundingClientRect();
    if (!own || r.width === 0 || r.height === 0) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min) { min = size; at = el.tagName.toLowerCase() + ' ' + el.textContent.trim().slice(0, 30); }
  }
  return {min, at}; }"""
TARGETS = "main a, main button, main select, main input:not([type=hidden])"


def check(page: Any, where: str, problems: list[str]) -> None:
    problems += axe_problems(page, where)
    problems += layout_problems(page, where, PHONE["width"])
    assert page.locator("body").get_attribute("class") == "elder", where
    body = page.evaluate(BODY_TEXT_JS)
    if body["fontSize"] < 20 or body["lineHeight"] < 1.3 * body["fontSize"]:
        problems.append(f"{where}: body text {body}")
    smallest = page.evaluate(MIN_TEXT_JS)
    if smallest["min"] < 20:
        problems.append(f"{where}: text under 20 px: {smallest}")
    boxes = [b for b in page.eval_on_selector_all(TARGETS, f"els => els.map({BOX_JS})") if b["visible"]]
    small = [b for b in boxes if b["h"] < 60 or b["w"] < 60]
    if small:
        problems.append(f"{where}: targets under 60 × 60 px: {small}")


def test_it_takes_a_retiree_from_finding_a_class_to_an_accepted_seat(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    school = f.school(cast.tree.county_a)
    home = Org.objects.create(
        code="330106S09",
        name="文新社区",
        kind=Org.Kind.STATION,
        parent=cast.tree.county_a,
        latitude=Decimal("30.280000"),
        longitude=Decimal("120.120000"),
    )
    near = f.site(school, name="文新社区教学点", lat="30.284000", lng="120.121000")
    far = f.site(school, name="城西分校", lat="30.350000", lng="120.200000")
    term = f.term(school)
    taichi = f.section(term, near, f.course(school, "太极拳", "taichi"), capacity=1, fee=Decimal("100"))
    f.section(term, far, f.course(school, "合唱", "singing"), slots=((2, "14:00", "16:00"),))
    lottery_term = f.term(school, mode=Term.Mode.LOTTERY, name="2027年秋季学期")
    phone_class = f.section(lottery_term, near, f.course(school, "智能手机", "phone"), slots=((4, "09:00", "11:00"),))
    other = f.person(home)
    enrol.do_enrol(by=other.account, section=taichi, retiree=other)  # the only seat is taken
    me = f.person(home, name="王秀兰")

    problems: list[str] = []
    context = new_context(PHONE)
    attach_session(context, live_server.url, me.account)
    page = context.new_page()

    page.goto("/campus/classes/")
    check(page, "classes near me", problems)
    titles = page.locator("#campus-classes h2").all_inner_texts()
    assert titles[0].startswith("太极拳") and any(t.startswith("合唱") for t in titles)
    assert "每周一 9:00–11:00" in page.locator("#campus-classes li").first.inner_text()
    with page.expect_navigation():
        page.locator(f"#campus-classes a[href='/campus/classes/{taichi.pk}/']").click()
    check(page, "the class", problems)
    with page.expect_navigation():
        page.click("#campus-go")
    status = page.locator("#campus-status")
    assert status.get_attribute("data-status") == "waitlisted" and "候补第 1 位" in status.inner_text()
    check(page, "the answer", problems)

    # A lottery class: the choice's rank, then the answer with the closing date.
    page.goto("/campus/classes/?category=phone")
    check(page, "classes near me, one category", problems)
    with page.expect_navigation():
        page.locator(f"#campus-classes a[href='/campus/classes/{phone_class.pk}/']").click()
    page.select_option("#campus-rank", "1")
    with page.expect_navigation():
        page.click("#campus-go")
    assert page.locator("#campus-status").get_attribute("data-status") == "applied"
    check(page, "applied", problems)

    # The other person leaves: the seat is offered to me, and my classes page accepts it.
    enrol.do_withdraw(by=other.account, section=taichi, retiree=other)
    page.goto("/campus/me/")
    check(page, "my classes with an offer", problems)
    with page.expect_navigation():
        page.locator(f"#campus-mine li[data-section='{taichi.pk}'] .campus-accept").click()
    assert page.locator(f"#campus-mine li[data-section='{taichi.pk}']").get_attribute("data-status") == "enrolled"
    assert Enrolment.objects.get(retiree=me, section=taichi).status == "enrolled"
    check(page, "my classes, enrolled", problems)
    page.goto(f"/campus/classes/{taichi.pk}/withdraw/")
    check(page, "withdraw?", problems)

    # The public lottery page, for anyone (no sign-in), on the same phone.
    public = new_context(PHONE).new_page()
    public.goto(f"/campus/lottery/{lottery_term.pk}/")
    assert lottery_term.seed_sha256 in public.locator("#lottery-sha").inner_text()
    problems += axe_problems(public, "the public lottery page")
    problems += layout_problems(public, "the public lottery page", PHONE["width"])
    assert problems == []
    assert not context.console_log.csp_violations(), context.console_log

"""The teaching pages on a 390 px phone in elder mode, measured by the elder rules (core/tests/browser/elder_rules):
a student checks in with the code the teacher's phone shows, opens the lessons, this week's live classes and
the certificates; a retiree who teaches taps the roll (htmx) with 60 px targets. axe finds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yinling.accounts.models import User
from yinling.campus.models import Presence, Section
from yinling.campus.services import teaching
from yinling.campus.tests import factories as f
from yinling.campus.tests import teaching_factories as tf
from yinling.core.tests.browser.conftest import PHONE
from yinling.core.tests.browser.elder_rules import axe_violations, measure
from yinling.core.tests.browser.helpers import attach_session
from yinling.testing.personas import make_cast

pytestmark = pytest.mark.browser


def check(page: Any, where: str, problems: list[str]) -> None:
    assert page.locator("body").get_attribute("class") == "elder", where
    problems += measure(page, where)
    problems += axe_violations(page, where)


def test_it_meets_the_elder_rules_on_the_student_and_teacher_pages(new_context: Any, live_server: Any) -> None:
    cast = make_cast()
    school = f.school(cast.tree.county_a)
    site = f.site(school)
    term = f.term(school)
    today = timezone.localdate()
    section = f.section(term, site, capacity=5, slots=((today.isoweekday(), "00:00", "23:59"),),
                        live_url="https://live.example.org/1", teacher="王老师")  # fmt: skip
    me, other = tf.students(section, cast.tree.unit_a, 2)
    teacher = f.person(cast.tree.unit_a, age=70)
    Section.objects.unrestricted().filter(pk=section.pk).update(teacher_account=teacher.account)
    meeting = tf.meeting(section, today, "00:00", "23:59")
    from yinling.campus.services import teaching_lessons as lessons

    lessons.do_add_lesson(
        by=cast.clerk, course=section.course, title="书法第一课", url="https://example.org/1", minutes=30
    )
    past = f.term(school, starts=today - dt.timedelta(days=100), ends=today - dt.timedelta(days=3))
    from yinling.campus.models import Enrolment

    done = f.section(past, site, section.course, slots=((today.isoweekday(), "09:00", "10:00"),))
    ended = Enrolment.objects.create(section=done, term=past, retiree=me, status="enrolled")
    tf.present(tf.meeting(done, past.starts), ended)
    User.objects.filter(pk__in=[me.account_id, teacher.account_id]).update(elder_mode=True)

    problems: list[str] = []
    phone = new_context(PHONE)
    attach_session(phone, live_server.url, me.account)
    student = phone.new_page()
    student.goto("/")
    assert student.locator("a[href='/campus/me/checkin/']").count() == 1
    student.goto("/campus/me/checkin/")
    check(student, "check-in", problems)
    student.fill("#id_code", "000000" if teaching.current_code(meeting)[0] != "000000" else "111111")
    with student.expect_navigation():
        student.click("#checkin-button")
    check(student, "check-in with a wrong code", problems)
    student.fill("#id_code", teaching.current_code(meeting)[0])
    with student.expect_navigation():
        student.click("#checkin-button")
    assert student.locator("#checkin-state").count() == 1
    check(student, "checked in", problems)
    for path, where in (("/campus/me/lessons/", "lessons"), ("/campus/me/timetable/", "live classes"),
                        ("/campus/me/certificates/", "certificates")):  # fmt: skip
        student.goto(path)
        check(student, where, problems)
    student.goto("/campus/me/lessons/")
    student.click("main a[href^='/campus/lessons/']")
    student.wait_for_load_state()
    check(student, "a lesson", problems)

    desk = new_context(PHONE)
    attach_session(desk, live_server.url, teacher.account)
    roll = desk.new_page()
    roll.goto("/campus/teaching/today/")
    roll.click(f"main a[href='/campus/teaching/meetings/{meeting.pk}/']")
    roll.wait_for_load_state()
    check(roll, "the roll", problems)
    button = roll.locator("#roll form").nth(1).locator("button")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    roll.locator("#roll li").nth(1).locator("button[aria-pressed=true]").wait_for()
    check(roll, "the roll after a tap", problems)
    roll.goto(f"/campus/teaching/meetings/{meeting.pk}/code/")
    check(roll, "the code", problems)
    assert problems == []
    marked = Presence.objects.unrestricted().filter(meeting=meeting).values_list("enrolment__retiree_id", flat=True)
    assert set(marked) == {me.pk, other.pk}

"""The student's pages end to end: today's check-in with the code, the live timetable of this week, the code screen."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yinling.campus.models import Presence
from yinling.campus.services import teaching
from yinling.campus.tests import factories as f
from yinling.campus.tests import teaching_factories as tf
from yinling.testing.permissions import login_client

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2027, 3, 10, 9, 5, tzinfo=SHANGHAI)  # week of Monday 8 March – Sunday 14 March 2027


def test_it_checks_in_through_the_page_and_tells_a_wrong_code(campus) -> None:  # type: ignore[no-untyped-def]
    section = f.section(campus.term, campus.site, capacity=5, slots=((3, "09:00", "11:00"),))
    (me,) = tf.students(section, campus.cast.tree.unit_a, 1)
    meeting = tf.meeting(section, WEDNESDAY.date())
    with time_machine.travel(WEDNESDAY, tick=False):
        client = login_client(me.account)
        assert client.get("/campus/me/checkin/")["Location"] == f"/campus/me/checkin/{meeting.pk}/"
        good = teaching.current_code(meeting)[0]
        wrong = client.post(f"/campus/me/checkin/{meeting.pk}/", {"code": str((int(good) + 1) % 10**6).zfill(6)})
        assert wrong.status_code == 200 and "签到码不对" in wrong.content.decode()
        done = client.post(f"/campus/me/checkin/{meeting.pk}/", {"code": good}, follow=True)
        assert "您这次课已签到" in done.content.decode()
    assert Presence.objects.unrestricted().get(meeting=meeting).method == "code"


def test_it_shows_this_week_s_live_classes_of_the_student(campus) -> None:  # type: ignore[no-untyped-def]
    live = f.section(
        campus.term, campus.site, capacity=5, slots=((3, "09:00", "11:00"),), live_url="https://live.example.org/a"
    )
    plain = f.section(
        campus.term, campus.site, f.course(campus.school, "太极"), capacity=5, slots=((4, "09:00", "11:00"),)
    )
    other = f.section(
        campus.term, campus.site, f.course(campus.school, "摄影"), capacity=5, live_url="https://live.example.org/other"
    )
    (me,) = tf.students(live, campus.cast.tree.unit_a, 1)
    from yinling.campus.services import enrol

    enrol.do_enrol(by=me.account, section=plain, retiree=me)
    this_week = tf.meeting(live, dt.date(2027, 3, 10))
    tf.meeting(live, dt.date(2027, 3, 17))  # next week
    tf.meeting(live, dt.date(2027, 3, 12), is_cancelled=True)
    tf.meeting(plain, dt.date(2027, 3, 11))  # no live link
    tf.meeting(other, dt.date(2027, 3, 12))  # not theirs
    with time_machine.travel(WEDNESDAY, tick=False):
        page = login_client(me.account).get("/campus/me/timetable/").content.decode()
    assert page.count("https://live.example.org/a") == 1 and "other" not in page
    assert "2027-03-08" in page and "2027-03-14" in page and "今天" in page
    assert this_week.start.strftime("%H:%M") in page


def test_it_refreshes_the_code_screen_by_htmx(campus) -> None:  # type: ignore[no-untyped-def]
    meeting = tf.meeting(campus.section)
    client = login_client(campus.cast.clerk)
    full = client.get(f"/campus/teaching/meetings/{meeting.pk}/code/").content.decode()
    part = client.get(f"/campus/teaching/meetings/{meeting.pk}/code/", HTTP_HX_REQUEST="true").content.decode()
    code = teaching.current_code(meeting)[0]
    assert code in full and "<svg" in full and "<html" in full
    assert code in part and "<html" not in part and 'hx-trigger="every' in part

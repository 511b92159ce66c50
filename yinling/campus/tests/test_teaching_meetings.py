"""Class meetings from the weekly slots, the teacher's one-tap roll, and self check-in with the rotating code."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from yinling.audit.models import AuditRecord
from yinling.campus.models import Meeting, Presence, Section
from yinling.campus.services import teaching
from yinling.campus.tests import factories as f
from yinling.campus.tests import teaching_factories as tf
from yinling.core import codes
from yinling.core.refusals import Refused
from yinling.testing.personas import make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _term_section(campus) -> Section:  # type: ignore[no-untyped-def]
    term = f.term(campus.school, starts=dt.date(2027, 3, 1), ends=dt.date(2027, 6, 30))
    return f.section(term, campus.site, slots=((1, "09:00", "11:00"), (4, "14:00", "16:00")))


@time_machine.travel(dt.datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_it_makes_a_meeting_for_each_slot_day_of_the_term_once(campus) -> None:  # type: ignore[no-untyped-def]
    section = _term_section(campus)
    assert teaching.do_generate_meetings(by=campus.cast.clerk, section=section) == 35
    meetings = list(Meeting.objects.unrestricted().filter(section=section).order_by("date", "start"))
    # By hand: Mondays 1 Mar – 28 Jun are 18, Thursdays 4 Mar – 24 Jun are 17.
    assert sum(m.date.isoweekday() == 1 for m in meetings) == 18
    assert sum(m.date.isoweekday() == 4 for m in meetings) == 17
    assert (meetings[0].date, meetings[0].start) == (dt.date(2027, 3, 1), dt.time(9))
    assert (meetings[-1].date, meetings[-1].end) == (dt.date(2027, 6, 28), dt.time(11))
    assert len({m.code_secret for m in meetings}) == 35  # each meeting its own secret
    assert teaching.do_generate_meetings(by=campus.cast.clerk, section=section) == 0  # idempotent
    teaching.do_cancel_meeting(by=campus.cast.clerk, meeting=meetings[3], reason="清明节")
    assert teaching.do_generate_meetings(by=campus.cast.clerk, section=section) == 0  # a cancelled one stays cancelled
    assert Meeting.objects.unrestricted().filter(section=section, is_cancelled=True).count() == 1
    assert AuditRecord.objects.filter(extra__event="campus_meetings_generated").count() == 1


def test_it_lets_only_registrars_plan_and_cancel(campus) -> None:  # type: ignore[no-untyped-def]
    section = _term_section(campus)
    for user in (campus.cast.leader, campus.cast.outsider, campus.cast.retiree):
        with pytest.raises(PermissionDenied):
            teaching.do_generate_meetings(by=user, section=section)
    m = tf.meeting(section, dt.date(2027, 3, 1))
    with pytest.raises(PermissionDenied):
        teaching.do_cancel_meeting(by=campus.cast.leader, meeting=m)
    teaching.do_cancel_meeting(by=campus.cast.bureau_admin, meeting=m)
    with pytest.raises(Refused) as refused:
        teaching.do_cancel_meeting(by=campus.cast.bureau_admin, meeting=m)
    assert refused.value.code == "closed"


def test_it_lists_the_roll_in_seat_order_and_toggles_with_one_tap(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    section = f.section(campus.term, campus.site, capacity=10, slots=((2, "09:00", "10:00"),))
    teacher = make_user("teacher1", cast.tree.county_a)  # no role: the section's teacher account
    Section.objects.unrestricted().filter(pk=section.pk).update(teacher_account=teacher)
    section.refresh_from_db()
    people = tf.students(section, cast.tree.unit_a, 3)
    assert [e.retiree_id for e in teaching.roll(section)] == [p.pk for p in people]
    m = tf.meeting(section)
    second = tf.enrolment(section, people[1])
    assert teaching.do_toggle_presence(by=teacher, meeting=m, enrolment=second) is True
    assert Presence.objects.unrestricted().get(meeting=m, enrolment=second).method == "teacher"
    assert teaching.do_toggle_presence(by=teacher, meeting=m, enrolment=second) is False
    assert not Presence.objects.unrestricted().filter(meeting=m).exists()
    assert teaching.do_toggle_presence(by=cast.clerk, meeting=m, enrolment=second) is True
    assert Presence.objects.unrestricted().get(meeting=m, enrolment=second).method == "staff"
    events = list(
        AuditRecord.objects.filter(extra__event__in=["campus_present", "campus_absent"])
        .values_list("extra__event", flat=True)
        .order_by("id")
    )
    assert events == ["campus_present", "campus_absent", "campus_present"]
    for user in (cast.leader, cast.outsider, people[0].account):
        with pytest.raises(PermissionDenied):
            teaching.do_toggle_presence(by=user, meeting=m, enrolment=second)


def test_it_refuses_marks_for_a_future_or_cancelled_meeting_or_another_class(campus) -> None:  # type: ignore[no-untyped-def]
    section = f.section(campus.term, campus.site, capacity=5, slots=((2, "09:00", "10:00"),))
    (a,) = tf.students(section, campus.cast.tree.unit_a, 1)
    (b,) = tf.students(campus.section, campus.cast.tree.unit_a, 1)
    later = tf.meeting(section, dt.date.today() + dt.timedelta(days=3))
    off = tf.meeting(section, start="13:00", end="14:00", is_cancelled=True)
    now = tf.meeting(section, start="15:00", end="16:00")
    cases = [(later, tf.enrolment(section, a), "too_early"), (off, tf.enrolment(section, a), "closed"),
             (now, tf.enrolment(campus.section, b), "not_enrolled")]  # fmt: skip
    for meeting, enrolment, code in cases:
        with pytest.raises(Refused) as refused:
            teaching.do_toggle_presence(by=campus.cast.clerk, meeting=meeting, enrolment=enrolment)
        assert refused.value.code == code


BASE = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, a multiple of 180 s


def _checkin_scene(campus):  # type: ignore[no-untyped-def]
    section = f.section(campus.term, campus.site, capacity=5, slots=((1, "09:00", "11:00"),))
    me, other = tf.students(section, campus.cast.tree.unit_a, 2)
    return section, me, other, tf.meeting(section, dt.date(2027, 3, 1))


def test_it_checks_in_a_student_with_the_current_code(campus, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CAMPUS_CODE_PERIOD_SECONDS = 180
    _section, me, _other, m = _checkin_scene(campus)
    with time_machine.travel(BASE, tick=False):
        code = teaching.current_code(m)[0]
        made = teaching.do_code_checkin(by=me.account, meeting=m, code=f" {code[:3]} {code[3:]} ")
        assert (made.method, made.enrolment.retiree_id) == ("code", me.pk)
        assert teaching.do_code_checkin(by=me.account, meeting=m, code="x").pk == made.pk  # already in: no refusal
        assert AuditRecord.objects.filter(extra__event="campus_checkin_code").count() == 1


def test_it_accepts_a_code_one_period_late_but_not_two(campus, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CAMPUS_CODE_PERIOD_SECONDS = 180
    _section, me, other, m = _checkin_scene(campus)
    with time_machine.travel(BASE, tick=False):
        code = teaching.current_code(m)[0]
    with time_machine.travel(BASE + dt.timedelta(seconds=359), tick=False):
        teaching.do_code_checkin(by=me.account, meeting=m, code=code)
    with time_machine.travel(BASE + dt.timedelta(seconds=360), tick=False), pytest.raises(Refused) as refused:
        teaching.do_code_checkin(by=other.account, meeting=m, code=code)
    assert refused.value.code == "bad_code"


def test_it_stops_code_tries_after_the_limit_until_the_window_passes(campus, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CAMPUS_CODE_MAX_MISSES = 3
    settings.CAMPUS_CODE_MISS_WINDOW_SECONDS = 600
    _section, me, other, m = _checkin_scene(campus)
    with time_machine.travel(BASE, tick=False):
        good = teaching.current_code(m)[0]
        wrong = str((int(good) + 1) % 1_000_000).zfill(6)
        for _i in range(3):
            with pytest.raises(Refused) as refused:
                teaching.do_code_checkin(by=me.account, meeting=m, code=wrong)
            assert refused.value.code == "bad_code"
        with pytest.raises(Refused) as refused:
            teaching.do_code_checkin(by=me.account, meeting=m, code=good)
        assert refused.value.code == "too_many_tries"  # even the right code, once locked out
        teaching.do_code_checkin(by=other.account, meeting=m, code=good)  # the others are not locked out
    enrolment = tf.enrolment(m.section, me)
    key = teaching.tries().key(enrolment.pk, m.pk)
    if hasattr(cache, "ttl"):  # Redis keeps time itself: the count expires within the window
        assert 0 < cache.ttl(key) <= 600
        cache.delete(key)
    else:  # the in-process cache reads the clock, which the test moves past the window (from the first miss)
        with time_machine.travel(BASE + dt.timedelta(seconds=599), tick=False):
            assert teaching.tries().locked_out(enrolment.pk, m.pk)
    with time_machine.travel(BASE + dt.timedelta(seconds=601), tick=False):
        assert not teaching.tries().locked_out(enrolment.pk, m.pk)
        teaching.do_code_checkin(by=me.account, meeting=m, code=teaching.current_code(m)[0])


def test_it_refuses_code_check_in_on_another_day_or_to_a_stranger(campus) -> None:  # type: ignore[no-untyped-def]
    _section, me, _other, m = _checkin_scene(campus)
    stranger = f.person(campus.cast.tree.unit_a)
    with time_machine.travel(BASE, tick=False), pytest.raises(PermissionDenied):
        teaching.do_code_checkin(by=stranger.account, meeting=m, code=teaching.current_code(m)[0])
    with time_machine.travel(BASE + dt.timedelta(days=1), tick=False), pytest.raises(Refused) as refused:
        teaching.do_code_checkin(by=me.account, meeting=m, code=teaching.current_code(m)[0])
    assert refused.value.code == "closed"


def test_it_shares_the_code_algorithm_with_volunteering() -> None:
    from yinling.volunteering import codes as volunteer_codes

    secret = "ab" * 32
    assert volunteer_codes.current(secret, BASE) == codes.current(secret, BASE, 180)

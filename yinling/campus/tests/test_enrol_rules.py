"""First-come enrolment: the one answer to every request, each rule at its boundary."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from yinling.campus.models import Enrolment, SafetyPledge, Section
from yinling.campus.services import enrol, offers
from yinling.campus.tests import factories as f
from yinling.core.refusals import Refused

pytestmark = pytest.mark.django_db


def _enrol(section: Section, retiree, **kw):  # type: ignore[no-untyped-def]
    return enrol.do_enrol(by=retiree.account, section=section, retiree=retiree, **kw)


def test_it_enrols_then_waitlists_then_refuses_when_the_class_keeps_no_waitlist(campus) -> None:
    org = campus.cast.tree.unit_a
    a, b, c, d = (f.person(org) for _ in range(4))
    assert _enrol(campus.section, a).status == "enrolled"
    assert _enrol(campus.section, b).status == "enrolled"
    answer = _enrol(campus.section, c)
    assert (answer.status, answer.position) == ("waitlisted", 1)
    answer = _enrol(campus.section, d)
    assert (answer.status, answer.position) == ("waitlisted", 2)
    campus.section.refresh_from_db()
    assert campus.section.taken == 2
    no_list = f.section(campus.term, campus.site, capacity=1, waitlist=False, slots=((3, "09:00", "10:00"),))
    _enrol(no_list, a)
    with pytest.raises(Refused) as refused:
        _enrol(no_list, b)
    assert refused.value.code == "full"


def test_it_refuses_a_second_request_for_the_same_class(campus) -> None:
    a = f.person(campus.cast.tree.unit_a)
    _enrol(campus.section, a)
    with pytest.raises(Refused) as refused:
        _enrol(campus.section, a)
    assert refused.value.code == "duplicate"


def test_it_holds_the_per_person_limit_exactly(campus) -> None:
    a = f.person(campus.cast.tree.unit_a)
    s2 = f.section(campus.term, campus.site, slots=((2, "09:00", "11:00"),))
    s3 = f.section(campus.term, campus.site, slots=((3, "09:00", "11:00"),))
    _enrol(campus.section, a)
    _enrol(s2, a)  # the 2nd of 2: allowed
    with pytest.raises(Refused) as refused:
        _enrol(s3, a)
    assert refused.value.code == "limit"
    enrol.do_withdraw(by=a.account, section=s2, retiree=a)
    assert _enrol(s3, a).status == "enrolled"


@pytest.mark.parametrize(
    ("mine", "other", "clash"),
    [
        ((1, "09:00", "11:00"), (1, "10:59", "12:00"), True),
        ((1, "09:00", "11:00"), (1, "11:00", "12:00"), False),  # back to back is fine
        ((1, "09:00", "11:00"), (2, "09:00", "11:00"), False),  # another day
        ((1, "09:00", "11:00"), (1, "08:00", "09:30"), True),
        ((1, "09:00", "11:00"), (1, "09:30", "10:00"), True),  # inside
    ],
)
def test_it_refuses_clashing_times(campus, mine, other, clash) -> None:  # type: ignore[no-untyped-def]
    a = f.person(campus.cast.tree.unit_a)
    first = f.section(campus.term, campus.site, slots=(mine,))
    second = f.section(campus.term, campus.site, slots=(other,))
    _enrol(first, a)
    if clash:
        with pytest.raises(Refused) as refused:
            _enrol(second, a)
        assert refused.value.code == "clash"
    else:
        assert _enrol(second, a).status == "enrolled"


@pytest.mark.parametrize(
    ("gender", "age", "ok"),
    [("F", 49, False), ("F", 50, True), ("M", 54, False), ("M", 55, True), ("F", 80, True), ("M", 81, False)],
)
def test_it_applies_the_default_age_rules_at_the_term_start(campus, gender, age, ok) -> None:  # type: ignore[no-untyped-def]
    # Born on 1 January: the age this year is the age at the term's start unless the term starts next year.
    a = f.person(campus.cast.tree.unit_a, gender=gender, age=age)
    campus.term.starts = dt.date(timezone.localdate().year, 12, 31)
    campus.term.save()
    section = Section.objects.get(pk=campus.section.pk)
    if ok:
        assert _enrol(section, a).status == "enrolled"
    else:
        with pytest.raises(Refused) as refused:
            _enrol(section, a)
        assert refused.value.code == "not_eligible"


def test_it_lets_someone_over_the_limit_enrol_with_a_safety_pledge_on_file(campus) -> None:
    a = f.person(campus.cast.tree.unit_a, age=84)
    with pytest.raises(Refused):
        _enrol(campus.section, a)
    SafetyPledge.objects.create(retiree=a, school=campus.school, signed_by="张女儿", signed_on=timezone.localdate())
    assert _enrol(campus.section, a).status == "enrolled"


def test_it_refuses_outside_the_window(campus) -> None:
    a = f.person(campus.cast.tree.unit_a)
    with time_machine.travel(campus.term.apply_until + dt.timedelta(seconds=1)), pytest.raises(Refused) as refused:
        _enrol(campus.section, a)
    assert refused.value.code == "closed"
    with time_machine.travel(campus.term.apply_from - dt.timedelta(seconds=1)), pytest.raises(Refused) as refused:
        _enrol(campus.section, a)
    assert refused.value.code == "closed"


def test_it_offers_a_freed_seat_to_the_first_waiting_and_passes_it_on_after_the_deadline(campus) -> None:
    org = campus.cast.tree.unit_a
    a, b, c, d = (f.person(org) for _ in range(4))
    _enrol(campus.section, a)
    _enrol(campus.section, b)
    _enrol(campus.section, c)  # waitlist 1
    _enrol(campus.section, d)  # waitlist 2
    enrol.do_withdraw(by=a.account, section=campus.section, retiree=a)
    offered = Enrolment.objects.unrestricted().get(section=campus.section, retiree=c)
    assert offered.status == "offered"
    assert enrol.answer_for(Enrolment.objects.unrestricted().get(section=campus.section, retiree=d)).position == 1
    with time_machine.travel(offered.offered_until + dt.timedelta(seconds=1)):
        with pytest.raises(Refused):
            offers.do_accept(by=c.account, section=campus.section, retiree=c)
        assert offers.expire_offers() == 1
    assert Enrolment.objects.unrestricted().get(pk=offered.pk).status == "expired"
    nxt = Enrolment.objects.unrestricted().get(section=campus.section, retiree=d)
    assert nxt.status == "offered"
    offers.do_accept(by=d.account, section=campus.section, retiree=d)
    campus.section.refresh_from_db()
    assert campus.section.taken == 2
    assert d.account.notifications.filter(kind="campus.seat_offered").exists()

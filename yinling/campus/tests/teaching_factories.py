"""Students, meetings and presences for the teaching tests (on top of factories.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yinling.campus.models import Enrolment, Meeting, Presence, Section
from yinling.campus.services import enrol
from yinling.campus.tests import factories as f
from yinling.core import codes
from yinling.orgs.models import Org
from yinling.registry.models import Retiree


def students(section: Section, org: Org, n: int) -> list[Retiree]:
    """n people enrolled first-come in `section`, in this order (their seat order)."""
    made = []
    for _i in range(n):
        person = f.person(org)
        answer = enrol.do_enrol(by=person.account, section=section, retiree=person)
        assert answer.status == "enrolled", answer
        made.append(person)
    return made


def enrolment(section: Section, retiree: Retiree) -> Enrolment:
    return Enrolment.objects.unrestricted().get(section=section, retiree=retiree, status="enrolled")


def meeting(
    section: Section, day: dt.date | None = None, start: str = "09:00", end: str = "11:00", **kw: Any
) -> Meeting:
    return Meeting.objects.create(
        section=section,
        date=day or timezone.localdate(),
        start=dt.time.fromisoformat(start),
        end=dt.time.fromisoformat(end),
        code_secret=codes.new_secret(),
        **kw,
    )


def present(meeting_: Meeting, enrolment_: Enrolment) -> Presence:
    return Presence.objects.create(meeting=meeting_, enrolment=enrolment_, method=Presence.Method.STAFF)


def walk_objects(cast: Any, school: Any) -> dict[str, Any]:
    """The teaching half's objects for the URL walk (core/tests/test_url_walk.py), keyed as its PK_BY_ROUTE names
    them: a class at a site of county A1 taught by an account without a role, the family persona enrolled, a
    meeting today, a link lesson, and a certificate of an ended term."""
    from yinling.campus.models import Certificate, Enrolment, Lesson

    # On the desk's school (desk_walk.walk_objects): a school is one to one with its org.
    site = f.site(school)
    term = f.term(school)
    section = f.section(term, site, live_url="https://live.example.org/1")
    enrolment = Enrolment.objects.create(section=section, term=term, retiree=cast.family_record, status="enrolled")
    meeting_ = meeting(section)
    lesson = Lesson.objects.create(course=section.course, title="第一课", url="https://example.org/1")
    past = f.term(
        school, starts=timezone.localdate() - dt.timedelta(days=120), ends=timezone.localdate() - dt.timedelta(days=5)
    )
    done = f.section(past, site, section.course)
    ended = Enrolment.objects.create(section=done, term=past, retiree=cast.family_record, status="enrolled")
    certificate = Certificate.objects.create(
        enrolment=ended, code="WALK234567", attended=1, meetings=1, issued_on=timezone.localdate()
    )
    return {
        "campus_teaching_section": section,
        "campus_meeting": meeting_,
        "campus_lesson": lesson,
        "campus_teaching_enrolment": enrolment,
        "campus_certificate": certificate,
    }

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

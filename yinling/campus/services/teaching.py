"""Class meetings and attendance: meetings generated from a section's weekly slots, the teacher's roll
(one tap a student), and a student's self check-in with the teacher's rotating code (core.codes).

Meetings run from the term's first day to its last on each slot's weekday. No public-holiday calendar
library is installed here (`holidays`, `chinese_calendar`), so no day is skipped; staff cancel a meeting
that falls on a holiday. Generation is idempotent: a meeting that exists (even cancelled) is kept.
A meeting is "held" once its day has come and it is not cancelled; attendance figures count held meetings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus import policy
from yinling.campus.models import Enrolment, Meeting, Presence, Section
from yinling.core import codes
from yinling.core.refusals import Refused
from yinling.registry import acting


def period_seconds() -> int:
    return int(getattr(settings, "CAMPUS_CODE_PERIOD_SECONDS", 180))


def tries() -> codes.Tries:
    return codes.Tries(
        "campus-meeting",
        int(getattr(settings, "CAMPUS_CODE_MAX_MISSES", 5)),
        int(getattr(settings, "CAMPUS_CODE_MISS_WINDOW_SECONDS", 600)),
    )


def current_code(meeting: Meeting, at: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    return codes.current(meeting.code_secret, at, period_seconds())


# --- meetings ------------------------------------------------------------------------------------------


def meeting_dates(section: Section) -> list[tuple[dt.date, dt.time, dt.time]]:
    """(date, start, end) of every meeting the section's weekly slots give between the term's first and last day."""
    term = section.term
    slots = list(section.slots.unrestricted().order_by("weekday", "start"))
    found = []
    day = term.starts
    while day <= term.ends:
        for slot in slots:
            if slot.weekday == day.isoweekday():
                found.append((day, slot.start, slot.end))
        day += dt.timedelta(days=1)
    return found


def _section(section: Section) -> Section:
    # Read on the service's authority: the caller found the section through its own rule.
    return Section.objects.unrestricted().select_related("term", "site__org", "course").get(pk=section.pk)


@transaction.atomic
def do_generate_meetings(*, by: Any, section: Section) -> int:
    """Make the section's meetings for its term; returns how many were new (0 on a second run)."""
    current = _section(section)
    policy.check_at(by, Meeting, "add", current.site.org)
    have = set(Meeting.objects.unrestricted().filter(section=current).values_list("date", "start"))
    new = [
        Meeting(section=current, date=day, start=start, end=end, code_secret=codes.new_secret())
        for day, start, end in meeting_dates(current)
        if (day, start) not in have
    ]
    # ignore_conflicts: a second request running at the same moment makes the same rows; the constraint keeps one.
    Meeting.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        record(
            AuditRecord.Action.CREATE,
            current,
            extra={"event": "campus_meetings_generated", "meetings": len(new)},
            org_path=current.site.org.path,
        )
    return len(new)


@transaction.atomic
def do_cancel_meeting(*, by: Any, meeting: Meeting, reason: str = "") -> Meeting:
    locked = Meeting.objects.unrestricted().select_for_update().get(pk=meeting.pk)
    section = _section(locked.section)
    policy.check_at(by, Meeting, "change", section.site.org)
    if locked.is_cancelled:
        raise Refused("closed", _("This class meeting is already cancelled."))
    if Presence.objects.unrestricted().filter(meeting=locked).exists():
        raise Refused("invalid", _("Students were marked present at this meeting; it cannot be cancelled."))
    locked.is_cancelled = True
    locked.save(update_fields=["is_cancelled"])
    record(
        AuditRecord.Action.UPDATE,
        locked,
        changes={"is_cancelled": [False, True]},
        extra={"reason": reason[:200]},
        org_path=section.site.org.path,
    )
    return locked


# --- the roll --------------------------------------------------------------------------------------------


def roll(section: Section) -> list[Enrolment]:
    """The enrolled students in seat order: by when they enrolled (the order they got their seats)."""
    return list(
        Enrolment.objects.unrestricted()
        .filter(section=section, status=Enrolment.Status.ENROLLED)
        .select_related("retiree")
        .order_by("created_at", "pk")
    )


def present_ids(meeting: Meeting) -> set[int]:
    return set(Presence.objects.unrestricted().filter(meeting=meeting).values_list("enrolment_id", flat=True))


def _check_open(meeting: Meeting, today: dt.date) -> None:
    if meeting.is_cancelled:
        raise Refused("closed", _("This class meeting was cancelled."))
    if meeting.date > today:
        raise Refused("too_early", _("This class meeting has not happened yet."))


@transaction.atomic
def do_toggle_presence(*, by: Any, meeting: Meeting, enrolment: Enrolment) -> bool:
    """The teacher's tap: marks the student present, or takes the mark back. Returns whether now present."""
    locked = Meeting.objects.unrestricted().select_for_update().get(pk=meeting.pk)
    section = _section(locked.section)
    policy.check_take_attendance(by, section)
    _check_open(locked, timezone.localdate())
    if enrolment.section_id != section.pk or enrolment.status != Enrolment.Status.ENROLLED:
        raise Refused("not_enrolled", _("This person is not enrolled in this class."))
    found = Presence.objects.unrestricted().filter(meeting=locked, enrolment=enrolment).first()
    if found is not None:
        record(AuditRecord.Action.DELETE, found, extra={"event": "campus_absent"}, org_path=section.site.org.path)
        found.delete()
        return False
    method = Presence.Method.TEACHER if policy.teaches(by, section) else Presence.Method.STAFF
    made = Presence.objects.create(meeting=locked, enrolment=enrolment, method=method, by=by)
    record(AuditRecord.Action.CREATE, made, extra={"event": "campus_present"}, org_path=section.site.org.path)
    return True


def enrolment_of(user: Any, section: Section) -> Enrolment | None:
    """The signed-in retiree's enrolment in this section (None for staff and those not enrolled)."""
    me = acting.retiree_of(user)
    if me is None:
        return None
    return (
        Enrolment.objects.unrestricted()
        .filter(section=section, retiree=me, status=Enrolment.Status.ENROLLED)
        .select_related("retiree")
        .first()
    )


@transaction.atomic
def do_code_checkin(*, by: Any, meeting: Meeting, code: str) -> Presence:
    """A student checks themselves in with the code the teacher's phone shows (on the meeting's day)."""
    current = Meeting.objects.unrestricted().select_related("section__site__org").get(pk=meeting.pk)
    section = current.section
    enrolment = enrolment_of(by, section)
    if enrolment is None:
        raise PermissionDenied
    now = timezone.now()
    if current.is_cancelled:
        raise Refused("closed", _("This class meeting was cancelled."))
    if current.date != timezone.localdate(now):
        raise Refused("closed", _("Check-in by code is only on the day of the class."))
    found = Presence.objects.unrestricted().filter(meeting=current, enrolment=enrolment).first()
    if found is not None:
        return found
    counter = tries()
    if counter.locked_out(enrolment.pk, current.pk):
        raise Refused(
            "too_many_tries",
            _("Too many wrong codes. Wait %(minutes)s minutes, or ask the teacher to mark you present.")
            % {"minutes": counter.window // 60},
        )
    if not codes.is_valid(current.code_secret, code, now, period_seconds()):
        counter.miss(enrolment.pk, current.pk)
        raise Refused("bad_code", _("That code is not right. Enter the 6 digits the teacher shows now."))
    counter.forget(enrolment.pk, current.pk)
    made, _created = Presence.objects.unrestricted().get_or_create(
        meeting=current, enrolment=enrolment, defaults={"method": Presence.Method.CODE, "by": by}
    )
    record(AuditRecord.Action.CREATE, made, extra={"event": "campus_checkin_code"}, org_path=section.site.org.path)
    return made


# --- figures ---------------------------------------------------------------------------------------------


def held_meetings(section: Section, today: dt.date | None = None) -> list[Meeting]:
    day = today or timezone.localdate()
    return list(Meeting.objects.unrestricted().filter(section=section, is_cancelled=False, date__lte=day))


def attendance_of(enrolment: Enrolment, today: dt.date | None = None) -> tuple[int, int]:
    """(meetings attended, meetings held) for one student in their section."""
    day = today or timezone.localdate()
    held = Meeting.objects.unrestricted().filter(section_id=enrolment.section_id, is_cancelled=False, date__lte=day)
    attended = Presence.objects.unrestricted().filter(enrolment=enrolment, meeting__in=held).count()
    return attended, held.count()


def meetings_today_of(user: Any) -> list[Meeting]:
    """Today's class meetings (not cancelled) of the signed-in retiree's enrolled sections."""
    me = acting.retiree_of(user)
    if me is None:
        return []
    return list(
        Meeting.objects.unrestricted()
        .filter(
            date=timezone.localdate(),
            is_cancelled=False,
            section__enrolments__retiree=me,
            section__enrolments__status=Enrolment.Status.ENROLLED,
        )
        .select_related("section__course", "section__site")
        .order_by("start")
        .distinct()
    )

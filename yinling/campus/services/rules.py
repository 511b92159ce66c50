"""The enrolment rules every path shares (first-come, lottery applications, offers, staff 代办).

Each check raises `Refused` with the API's code: `closed`, `not_eligible`, `duplicate`, `limit`, `clash`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.campus.models import HOLDS_SEAT, LIVE, Course, Enrolment, SafetyPledge, Section, Slot, Term
from yinling.core import rows
from yinling.core.refusals import Refused
from yinling.registry.models import Retiree


def local_today() -> dt.date:
    return timezone.localdate()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def window_open(term: Term, now: dt.datetime | None = None) -> bool:
    """Taking requests now: the window is open (and a lottery not yet drawn). The same rule as
    selectors.open_q(), which filters lists by it in SQL, and as check_open(), which says why not."""
    now = now or timezone.now()
    return not term.is_deleted and term.apply_from <= now < term.apply_until and term.drawn_at is None


def check_open(term: Term, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if term.is_deleted:
        raise Refused("closed", _("This term is no longer offered."))
    if now < term.apply_from:
        opens = timezone.localtime(term.apply_from).strftime("%Y-%m-%d %H:%M")
        raise Refused("closed", _("Enrolment opens on %(when)s.") % {"when": opens})
    if now >= term.apply_until:
        raise Refused("closed", _("Enrolment for this term has closed."))
    if term.mode == Term.Mode.LOTTERY and term.drawn_at is not None:
        raise Refused("closed", _("The lottery for this term has been drawn."))


def age_bounds(section: Section, retiree: Retiree) -> tuple[int, int]:
    school = section.term.school
    low = section.age_min
    if low is None:
        low = school.women_from if retiree.gender == "F" else school.men_from
    high = section.age_max if section.age_max is not None else school.age_until
    return low, high


def has_pledge(retiree: Retiree, section: Section, on: dt.date) -> bool:
    return (
        SafetyPledge.objects.unrestricted()
        .filter(retiree=retiree, school_id=section.term.school_id, signed_on__lte=on)
        .exclude(valid_until__lt=on)
        .exists()
    )


def check_eligible(retiree: Retiree, section: Section) -> None:
    """Age at the term's start (women 50+, men 55+, up to 80, the school's or the section's own figures;
    over the top only with a family safety pledge on file) and the course's prerequisite."""
    if retiree.is_deleted or retiree.status != "active":
        raise Refused("not_eligible", _("Only people on the register can enrol."))
    day = section.term.starts
    age = age_on(retiree.birth_date, day)
    low, high = age_bounds(section, retiree)
    if age < low:
        raise Refused("not_eligible", _("This class is for people aged %(n)s and over.") % {"n": low})
    if age > high and not has_pledge(retiree, section, local_today()):
        raise Refused(
            "not_eligible",
            _("Over %(n)s, the school needs a family safety pledge on file before you can enrol.") % {"n": high},
        )
    prerequisite = section.course.prerequisite_id
    if prerequisite is not None and not completed_course(retiree, prerequisite, before=day):
        raise Refused(
            "not_eligible",
            _("This class follows on from “%(course)s”: take that course first.")
            % {"course": section.course.prerequisite},
        )


def completed_course(retiree: Retiree, course_id: int, before: dt.date) -> bool:
    """Enrolled (to the end) in a section of the course in a term that ended before `before`."""
    return (
        Enrolment.objects.unrestricted()
        .filter(retiree=retiree, section__course_id=course_id, term__ends__lt=before)
        .filter(status=Enrolment.Status.ENROLLED)
        .exists()
    )


# The person's live requests of a term with their sections and courses: read on every request in a rush, so
# written once (core.rows; bench: campus_rush). The statuses are LIVE's, in its order.
_LIVE = rows.Joined(
    [rows.Part(Enrolment, "e"), rows.Part(Section, "s", "section", "e"), rows.Part(Course, "c", "course", "s")],
    where="e.term_id = %s AND e.retiree_id = %s AND e.status IN (" + ", ".join(["%s"] * len(LIVE)) + ") ORDER BY e.id",
)


def live_of(retiree: Retiree, term: Term) -> list[Enrolment]:
    """The person's live requests this term, with their sections' slots (read under the person's lock)."""
    found = [e for e in _LIVE.all([term.pk, retiree.pk, *LIVE]) if isinstance(e, Enrolment)]
    if found:
        prefetch_related_objects([e.section for e in found], "slots")
    return found


def slots_of(section: Section) -> list[Slot]:
    return list(section.slots.all())


def clash_with(section: Section, others: Iterable[Enrolment]) -> Section | None:
    others = [o for o in others if o.section_id != section.pk]
    if not others:
        return None  # nothing to clash with: no need to read the section's times
    mine = slots_of(section)
    for other in others:
        if other.section_id == section.pk:
            continue
        for a in mine:
            for b in other.section.slots.all():
                if a.clashes(b):
                    return other.section
    return None


def check_person(
    retiree: Retiree, section: Section, live: list[Enrolment], *, limit: int, waitlisting: bool = False
) -> None:
    """Duplicate, limit and clash, against the person's live requests of the term (under their lock).

    The limit counts seats held (enrolled and offered); a waitlist place does not take a seat but is
    capped at the same number, so nobody queues for every class of a term."""
    if any(e.section_id == section.pk for e in live):
        raise Refused("duplicate", _("You have already asked for this class."))
    held = [e for e in live if e.status in HOLDS_SEAT]
    if not waitlisting and len(held) >= limit:
        raise Refused(
            "limit", _("You can take at most %(n)s classes this term; withdraw from one first.") % {"n": limit}
        )
    if waitlisting and len([e for e in live if e.status == Enrolment.Status.WAITLISTED]) >= limit:
        raise Refused(
            "limit", _("You can wait for at most %(n)s classes this term; leave a waitlist first.") % {"n": limit}
        )
    other = clash_with(section, held)
    if other is not None:
        raise Refused(
            "clash", _("This class is at the same time as “%(other)s”, which you already take.") % {"other": other}
        )

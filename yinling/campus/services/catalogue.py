"""The catalogue: schools, sites, terms, courses and sections, each added by staff of the school's org.

Sites are org nodes inside the school's subtree (a branch, a teaching point, a 家门口老年大学 in a
community, a 乐活驿站): who may see and run a class follows the tree. A term gets its lottery seed when it
is made, so the seed's SHA-256 can be published before anyone applies.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus import policy
from yinling.campus.models import Course, School, Section, Site, Slot, Term
from yinling.campus.services import offers
from yinling.campus.services.draw import new_seed
from yinling.core.refusals import Refused
from yinling.orgs.models import Org

SlotSpec = tuple[int, dt.time, dt.time]


@transaction.atomic
def do_create_school(*, by: Any, org: Org, name: str, **rules: Any) -> School:
    policy.check_at(by, School, "add", org)
    if School.objects.unrestricted().filter(org=org).exists():
        raise Refused("duplicate", _("%(org)s already runs a school.") % {"org": org})
    school = School.objects.create(org=org, name=name, **rules)
    record(AuditRecord.Action.CREATE, school, org_path=org.path)
    return school


@transaction.atomic
def do_create_site(*, by: Any, school: School, org: Org, name: str, **values: Any) -> Site:
    policy.check_at(by, Site, "add", org)
    if not org.path.startswith(school.org.path):
        raise Refused("invalid", _("A site must be in the school's part of the org tree."))
    if Site.objects.unrestricted().filter(org=org).exists():
        raise Refused("duplicate", _("%(org)s is already a site.") % {"org": org})
    site = Site.objects.create(school=school, org=org, name=name, **values)
    record(AuditRecord.Action.CREATE, site, org_path=org.path)
    return site


def _check_term(starts: dt.date, ends: dt.date, apply_from: dt.datetime, apply_until: dt.datetime, limit: int) -> None:
    if ends < starts:
        raise Refused("invalid", _("Classes cannot end before they start."))
    if apply_until <= apply_from:
        raise Refused("invalid", _("Enrolment must close after it opens."))
    if not 1 <= limit <= 20:
        raise Refused("invalid", _("A person may take between 1 and 20 classes a term."))


@transaction.atomic
def do_create_term(
    *,
    by: Any,
    school: School,
    name: str,
    starts: dt.date,
    ends: dt.date,
    apply_from: dt.datetime,
    apply_until: dt.datetime,
    mode: str = Term.Mode.FIRST_COME,
    limit: int = 2,
    choices: int = 3,
    fees_due: dt.date | None = None,
    offer_hours: int = 48,
) -> Term:
    policy.check_catalogue(by, school, Term)
    _check_term(starts, ends, apply_from, apply_until, limit)
    if not 1 <= choices <= 10:
        raise Refused("invalid", _("A lottery takes between 1 and 10 ranked choices."))
    seed, digest = new_seed()
    term = Term.objects.create(
        school=school,
        name=name,
        starts=starts,
        ends=ends,
        apply_from=apply_from,
        apply_until=apply_until,
        mode=mode,
        limit=limit,
        choices=choices,
        fees_due=fees_due,
        offer_hours=offer_hours,
        seed=seed,
        seed_sha256=digest,
    )
    record(AuditRecord.Action.CREATE, term, extra={"seed_sha256": digest}, org_path=school.org.path)
    return term


@transaction.atomic
def do_create_course(
    *, by: Any, school: School, name: str, category: str, description: str = "", prerequisite: Course | None = None
) -> Course:
    policy.check_catalogue(by, school, Course)
    if prerequisite is not None and prerequisite.school_id != school.pk:
        raise Refused("invalid", _("A prerequisite must be a course of the same school."))
    course = Course.objects.create(
        school=school, name=name, category=category, description=description, prerequisite=prerequisite
    )
    record(AuditRecord.Action.CREATE, course, org_path=school.org.path)
    return course


def check_slots(slots: list[SlotSpec]) -> None:
    if not slots:
        raise Refused("invalid", _("A class needs at least one weekly time."))
    for weekday, start, end in slots:
        if not 1 <= weekday <= 7:
            raise Refused("invalid", _("A weekday is 1 (Monday) to 7 (Sunday)."))
        if end <= start:
            raise Refused("invalid", _("A class must end after it starts."))
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]:
                raise Refused("invalid", _("Two of the class's times overlap."))


@transaction.atomic
def do_create_section(
    *,
    by: Any,
    course: Course,
    term: Term,
    site: Site,
    capacity: int,
    slots: list[SlotSpec],
    teacher: str = "",
    name: str = "",
    room: str = "",
    fee: Decimal = Decimal("0"),
    waitlist: bool = True,
    age_min: int | None = None,
    age_max: int | None = None,
    live_url: str = "",
    teacher_account: Any = None,
) -> Section:
    policy.check_at(by, Section, "add", site.org)
    if course.school_id != term.school_id or site.school_id != term.school_id:
        raise Refused("invalid", _("The course, the term and the site must belong to the same school."))
    if capacity < 1:
        raise Refused("invalid", _("A class needs at least one seat."))
    if fee < 0:
        raise Refused("invalid", _("A fee cannot be negative."))
    if age_min is not None and age_max is not None and age_max < age_min:
        raise Refused("invalid", _("The maximum age cannot be below the minimum."))
    check_slots(slots)
    section = Section.objects.create(
        course=course,
        term=term,
        site=site,
        capacity=capacity,
        teacher=teacher,
        name=name,
        room=room,
        fee=fee,
        waitlist=waitlist,
        age_min=age_min,
        age_max=age_max,
        live_url=live_url,
        teacher_account=teacher_account,
    )
    Slot.objects.bulk_create([Slot(section=section, weekday=w, start=s, end=e) for w, s, e in slots])
    record(
        AuditRecord.Action.CREATE,
        section,
        extra={"slots": [f"{w} {s:%H:%M}-{e:%H:%M}" for w, s, e in slots]},
        org_path=site.org.path,
    )
    return section


def holds_places(section: Section) -> bool:
    """Someone holds a place or a request in the class (its times can no longer change)."""
    from yinling.campus.models import LIVE, Enrolment

    return Enrolment.objects.unrestricted().filter(section=section, status__in=LIVE).exists()


@transaction.atomic
def do_replace_slots(*, by: Any, section: Section, slots: list[SlotSpec]) -> bool:
    """New weekly times for a class nobody holds a place in yet (clashes were decided against the old ones).
    Returns whether they changed; audited with the times before and after."""
    from yinling.campus.forms_slots import format_slots  # the times as the desk writes them, also in the trail

    policy.check_at(by, Section, "change", section.site.org)
    check_slots(slots)
    before, after = format_slots(section.slots.all()), format_slots(slots)
    if before == after:
        return False
    locked = Section.objects.unrestricted().select_for_update().get(pk=section.pk)
    if holds_places(locked):
        raise Refused("invalid", _("People already hold places in this class: its times stay as they are."))
    Slot.objects.unrestricted().filter(section=locked).delete()
    Slot.objects.bulk_create([Slot(section=locked, weekday=w, start=s, end=e) for w, s, e in slots])
    record(AuditRecord.Action.UPDATE, locked, changes={"slots": [before, after]}, org_path=section.site.org.path)
    return True


SECTION_EDITABLE = (
    "name",
    "teacher",
    "teacher_account",
    "room",
    "capacity",
    "fee",
    "waitlist",
    "age_min",
    "age_max",
    "live_url",
)


@transaction.atomic
def do_update_section(*, by: Any, section: Section, **values: Any) -> Section:
    policy.check_at(by, Section, "change", section.site.org)
    unknown = set(values) - set(SECTION_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    locked = Section.objects.unrestricted().select_for_update().get(pk=section.pk)
    if "capacity" in values and values["capacity"] < locked.taken:
        raise Refused("invalid", _("%(n)s seats are already taken: the seats cannot be fewer.") % {"n": locked.taken})
    changes: dict[str, Any] = {}
    for name, value in values.items():
        before = getattr(locked, name)
        if before != value:
            changes[name] = [str(before), str(value)]
            setattr(locked, name, value)
    if changes:
        locked.save()
        record(AuditRecord.Action.UPDATE, locked, changes=changes, org_path=section.site.org.path)
        offers.offer_next(locked)  # more seats: the waitlist moves up
    return locked

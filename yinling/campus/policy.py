"""Who may do what in the senior university (pure functions, no writes).

Registrars are staff with the campus permissions at the school's org or above (granted in setup.py):
the catalogue (`add_term`, `add_course`, `add_section`, `add_site`), enrolments (`add_enrolment` to enrol
someone on their behalf, `change_enrolment` for fees, withdrawals and attendance), `draw_section` for the
lottery. A section's teacher (its `teacher_account`) takes its attendance without any role.
Services call `check_*`, which raise PermissionDenied.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from yinling.campus.models import School, Section, Term
from yinling.core.scoping import can, can_at
from yinling.orgs.models import Org


def check_at(user: Any, model: type, action: str, org: Org) -> None:
    if not can_at(user, model, action, org):
        raise PermissionDenied


def check_catalogue(user: Any, school: School, model: type, action: str = "add") -> None:
    """Terms, courses and sections are added at their school's org."""
    check_at(user, model, action, school.org)


def check_draw(user: Any, term: Term) -> None:
    if not can_at(user, Section, "draw", term.school.org):
        raise PermissionDenied


def may_enrol_for_others(user: Any, section: Section) -> bool:
    from yinling.campus.models import Enrolment

    return can(user, "view", section) and can_at(user, Enrolment, "add", section.site.org)


def teaches(user: Any, section: Section) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and section.teacher_account_id == user.pk


def may_take_attendance(user: Any, section: Section) -> bool:
    from yinling.campus.models import Enrolment

    return teaches(user, section) or can_at(user, Enrolment, "change", section.site.org)


def check_take_attendance(user: Any, section: Section) -> None:
    if not may_take_attendance(user, section):
        raise PermissionDenied

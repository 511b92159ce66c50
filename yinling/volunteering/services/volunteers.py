"""Volunteers: registering (the retiree on the phone, or staff for a retiree in their scope), updating the
profile, and withdrawing. A volunteer is the registry's retiree: there is no second copy of the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from yinling.audit import registry as audit_registry
from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.registry import choices
from yinling.registry.models import Retiree
from yinling.volunteering import policy_people as policy
from yinling.volunteering.models import Skill, Volunteer

PROFILE_FIELDS = (
    "skills",
    "specialities",
    "availability",
    "service_areas",
    "insurance",
    "insurance_expires",
    "returning_talent",
    "home_village",
)


@contextmanager
def audited(action: str, obj: Model, *, extra: dict[str, Any] | None = None) -> Iterator[None]:
    """Saves inside write no automatic record; one record with the changed fields (and `extra`) is written."""
    model = type(obj)
    registered = audit_registry.is_registered(model)
    before = audit_registry.snapshot(obj) if registered and obj.pk else {}
    with audit_registry.explicit():
        yield
    changes = None
    if registered:
        after = audit_registry.snapshot(obj)
        changes = audit_registry.diff(model, before, after)
    record(action, obj, changes=changes, extra=extra)


def clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    """The profile's values as stored; Refused("invalid") for a skill not in the library, an expiry without
    insurance, or a 银雁返乡 talent without a home village."""
    clean = {k: v for k, v in values.items() if k in PROFILE_FIELDS}
    skills = clean.get("skills")
    if skills is not None:
        if isinstance(skills, str):
            skills = [s for s in skills.split("|") if s]
        unknown = [s for s in skills if s not in Skill.values]
        if unknown:
            raise Refused("invalid", _("Unknown skill: %(skills)s.") % {"skills": "、".join(map(str, unknown))})
        clean["skills"] = Volunteer.encode_skills(list(skills))
    for key in ("specialities", "availability", "service_areas", "home_village"):
        if key in clean:
            clean[key] = str(clean[key] or "").strip()
    insurance = clean.get("insurance")
    if insurance is not None and insurance not in Volunteer.Insurance.values:
        raise Refused("invalid", _("Choose whether the volunteer is insured."))
    if clean.get("insurance") == Volunteer.Insurance.NONE:
        clean["insurance_expires"] = None
    expires = clean.get("insurance_expires")
    if expires is not None and not isinstance(expires, dt.date):
        raise Refused("invalid", _("Enter the insurance expiry as a date."))
    if clean.get("returning_talent") and not clean.get("home_village"):
        raise Refused("invalid", _("A 银雁返乡 talent needs a home village."))
    if "returning_talent" in clean and not clean["returning_talent"]:
        clean["home_village"] = ""
    return clean


def volunteer_of(retiree: Retiree | None) -> Volunteer | None:
    """The retiree's volunteer record (active or withdrawn), read on the caller's authority."""
    if retiree is None:
        return None
    return Volunteer.objects.unrestricted().select_related("retiree__org").filter(retiree=retiree).first()


def active_volunteer_of(retiree: Retiree | None) -> Volunteer | None:
    volunteer = volunteer_of(retiree)
    return volunteer if volunteer is not None and volunteer.is_active else None


@transaction.atomic
def do_register_volunteer(*, by: Any, retiree: Retiree, **values: Any) -> Volunteer:
    """Register `retiree` as a volunteer: themselves, or staff for a retiree in their scope.

    Refused("duplicate") when already registered; Refused("not_eligible") for a record not on register
    (deceased, moved out) or deleted. A withdrawn volunteer who registers again is active again."""
    policy.check_register(by, retiree)
    locked = Retiree.objects.unrestricted().select_for_update().select_related("org").get(pk=retiree.pk)
    if locked.is_deleted or locked.status != choices.Status.ACTIVE:
        raise Refused("not_eligible", _("Only people on the register can volunteer."))
    profile = clean_profile(values)
    existing = volunteer_of(locked)
    on_behalf = not policy.is_self(by, locked)
    if existing is not None and existing.is_active:
        raise Refused("duplicate", _("%(name)s is already a registered volunteer.") % {"name": locked.name})
    if existing is not None:
        with audited(AuditRecord.Action.UPDATE, existing, extra={"on_behalf": on_behalf}):
            for key, value in profile.items():
                setattr(existing, key, value)
            existing.is_active = True
            existing.save()
        return existing
    volunteer = Volunteer(retiree=locked, registered_by=by if getattr(by, "pk", None) else None, **profile)
    with audited(AuditRecord.Action.CREATE, volunteer, extra={"on_behalf": on_behalf, "retiree": locked.pk}):
        volunteer.save()
    return volunteer


@transaction.atomic
def do_update_volunteer(*, by: Any, volunteer: Volunteer, **values: Any) -> Volunteer:
    policy.check_change_volunteer(by, volunteer)
    locked = Volunteer.objects.unrestricted().select_for_update().select_related("retiree__org").get(pk=volunteer.pk)
    if not locked.is_active:
        raise Refused("not_volunteer", _("This volunteer has withdrawn."))
    current = {key: getattr(locked, key) for key in PROFILE_FIELDS}
    profile = clean_profile({**current, **values})
    with audited(AuditRecord.Action.UPDATE, locked, extra={"on_behalf": not policy.is_self(by, locked.retiree)}):
        for key, value in profile.items():
            setattr(locked, key, value)
        locked.save()
    return locked


@transaction.atomic
def do_withdraw(*, by: Any, volunteer: Volunteer) -> Volunteer:
    """The volunteer leaves the network (the record and its hours stay); their team memberships end."""
    from yinling.volunteering.models import Membership

    policy.check_change_volunteer(by, volunteer)
    locked = Volunteer.objects.unrestricted().select_for_update().get(pk=volunteer.pk)
    if not locked.is_active:
        raise Refused("not_volunteer", _("This volunteer has already withdrawn."))
    with audited(AuditRecord.Action.UPDATE, locked, extra={"on_behalf": not policy.is_self(by, volunteer.retiree)}):
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        # Their live memberships end with them (read on the service's authority).
        for membership in Membership.objects.unrestricted().filter(
            volunteer=locked, status__in=[Membership.Status.PENDING, Membership.Status.ACTIVE]
        ):
            membership.status = Membership.Status.LEFT
            membership.save(update_fields=["status"])
    return locked

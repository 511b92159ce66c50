"""Registry actions: each atomic, each audited (signals for saves, explicit records otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.scoping import can, can_at
from yinling.orgs.models import Org
from yinling.registry.choices import Status
from yinling.registry.models import Retiree, Transfer

SENSITIVE_FIELDS = ("id_number", "phone", "address", "health_notes")


class EditConflict(Exception):
    """Someone saved the record after this editor loaded it."""


def may_see_sensitive(user: Any, retiree: Retiree) -> bool:
    return can(user, "view_sensitive", retiree)


def reveal(user: Any, retiree: Retiree, fields: tuple[str, ...] = SENSITIVE_FIELDS) -> dict[str, Any]:
    """The unmasked values, for a user who may see them; every reveal is audited."""
    if not may_see_sensitive(user, retiree):
        raise PermissionDenied
    record(AuditRecord.Action.VIEW_SENSITIVE, retiree, extra={"fields": list(fields)})
    shown: dict[str, Any] = {f: getattr(retiree, f) or "" for f in fields}
    shown["birth_date"] = retiree.birth_date.isoformat()
    shown["age"] = retiree.age
    return shown


def masked(retiree: Retiree) -> dict[str, Any]:
    """What a role without the sensitive right sees of the sensitive values, of the birth date (the
    year only, idcard.birth_shown: with more, the region and the last four rebuild the ID number) and
    of the age (this year's, idcard.age_shown: the age to the day gives the birthday away)."""
    from yinling.registry.idcard import age_shown, birth_shown

    return {
        "birth_date": birth_shown(retiree.birth_date),
        "age": age_shown(retiree.birth_date, timezone.localdate()),
        "id_number": retiree.id_masked,
        "phone": retiree.phone_masked,
        "address": retiree.address_masked,
        "health_notes": "****" if retiree.health_notes else "",
    }


def _check_org(user: Any, org: Org, action: str) -> None:
    if not can_at(user, Retiree, action, org.path):
        raise PermissionDenied(_("The org %(code)s is outside your area.") % {"code": org.code})


@transaction.atomic
def do_create_retiree(*, by: Any, org: Org, values: dict[str, Any]) -> Retiree:
    _check_org(by, org, "add")
    retiree = Retiree(org=org, **values)
    try:
        with transaction.atomic():
            retiree.save()
    except IntegrityError as exc:
        _raise_if_duplicate(retiree, exc)
        raise
    return retiree


DUPLICATE = "duplicate_id"


def _raise_if_duplicate(retiree: Retiree, exc: IntegrityError) -> None:
    """A failed save is a duplicate ID number only if that number is registered (other failures propagate).

    One answer wherever the other record is, in the user's area or another org's (issue #9): it names
    no org and no person, and the caller audits the attempt (`record_duplicate_attempt`).
    """
    if Retiree.objects.unrestricted().filter(id_hash=retiree.id_hash).exclude(pk=retiree.pk).exists():
        raise ValidationError({"id_number": ValidationError(duplicate_message(), code=DUPLICATE)}) from exc


def duplicate_message() -> str:
    """The one answer to "this ID number is registered", wherever (also the import's, for a row outside
    the user's area). Staff who must know where use the audited duplicate finder (views_duplicates)."""
    return _(
        "This ID number is already registered. If a search in your area does not find the person, "
        "another org manages them: ask the bureau to arrange a transfer."
    )


def is_duplicate(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("id_number", [])
    return any(getattr(e, "code", None) == DUPLICATE for e in errors)


def record_duplicate_attempt(
    by: Any, number: str | list[str], via: str, *, file: str = "", rows: int | None = None
) -> None:
    """Audit a refused duplicate (after the refused transaction, so the record stays): trying ID numbers
    on the add page, the API or in an import is a way to learn who is registered, and is visible in the
    trail. An import's rows make one record: how many (`rows`), and the first 20 numbers masked."""
    from yinling.registry.filters import masked_query

    numbers = number if isinstance(number, list) else [number]
    shown = [masked_query(n or "") for n in numbers]
    extra: dict[str, Any] = {"filters": {"id_number": shown[:20] if isinstance(number, list) else shown[0]}}
    if isinstance(number, list):
        extra["rows"] = rows if rows is not None else len(numbers)
    if file:
        extra["file"] = file
    org = getattr(by, "org", None)
    record(
        AuditRecord.Action.SECURITY,
        object_type="registry.retiree",
        object_repr=shown[0] if len(shown) == 1 else f"{len(shown)} × {shown[0]}",
        org_path=getattr(org, "path", "") or "",
        actor=by,
        extra={**extra, "rejected": "duplicate", "via": via},
    )


@transaction.atomic
def do_update_retiree(*, by: Any, retiree: Retiree, values: dict[str, Any], expected_version: int) -> Retiree:
    """Save changes unless someone else saved first (optimistic locking on `version`)."""
    if not can(by, "change", retiree):
        raise PermissionDenied
    new_org = values.get("org")
    if new_org is not None and new_org.pk != retiree.org_id:
        _check_org(by, new_org, "change")
    bumped = Retiree.objects.filter(pk=retiree.pk, version=expected_version).update(version=F("version") + 1)
    if not bumped:
        raise EditConflict
    for key, value in values.items():
        setattr(retiree, key, value)
    retiree.version = expected_version + 1
    try:
        with transaction.atomic():
            retiree.save()
    except IntegrityError as exc:
        _raise_if_duplicate(retiree, exc)
        raise
    return retiree


@transaction.atomic
def do_record_death(*, by: Any, retiree: Retiree, date: dt.date) -> Retiree:
    if not can(by, "change", retiree):
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"deceased_on": _("The date of death cannot be in the future.")})
    if date < retiree.birth_date:
        raise ValidationError({"deceased_on": _("The date of death is before the birth date.")})
    retiree.status = Status.DECEASED
    retiree.deceased_on = date
    retiree.version += 1
    retiree.save()
    if retiree.account is not None and retiree.account.is_active:
        # Nobody may go on signing in as a person who has died.
        retiree.account.is_active = False
        retiree.account.save(update_fields=["is_active"])
    return retiree


@transaction.atomic
def do_transfer(*, by: Any, retiree: Retiree, to_org: Org, reason: str) -> Transfer:
    """Move to another managing org. The mover needs transfer rights where the person is now;
    the destination only has to exist, as moves between cities are routine (异地安置)."""
    if not can(by, "transfer", retiree):
        raise PermissionDenied
    if to_org.pk == retiree.org_id:
        raise ValidationError({"to_org": _("The person is already managed by this org.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the move.")})
    from_org = retiree.org
    transfer = Transfer.objects.create(
        retiree=retiree, from_org=from_org, to_org=to_org, reason=reason.strip(), by=getattr(by, "username", "")
    )
    retiree.org = to_org
    retiree.version += 1
    retiree.save()
    if retiree.account is not None:
        # The account moves with the person: the new org's staff manage it from now on.
        retiree.account.org = to_org
        retiree.account.save(update_fields=["org"])
    from yinling.registry.signals import retiree_moved

    retiree_moved.send(sender=Retiree, retiree=retiree, from_org=from_org, to_org=to_org, by=by)
    # The old side keeps a record in its own part of the trail.
    record(
        AuditRecord.Action.UPDATE,
        retiree,
        org_path=from_org.path,
        changes={"org": [from_org.code, to_org.code]},
        extra={"transfer": transfer.pk, "reason": reason},
    )
    return transfer


@transaction.atomic
def do_soft_delete(*, by: Any, retiree: Retiree, reason: str) -> None:
    """Only system administrators, with a reason; the record is hidden, never erased."""
    if not can(by, "delete", retiree):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the deletion.")})
    retiree.is_deleted = True
    retiree.deleted_reason = reason.strip()
    retiree.deleted_at = timezone.now()
    retiree.version += 1
    retiree.save()
    record(AuditRecord.Action.DELETE, retiree, extra={"soft": True, "reason": reason})

"""Account and role actions: each checks its policy (accounts.policy), runs in a transaction and writes its audit
record itself. Pages (and any API) only call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from yinling.accounts import policy
from yinling.accounts.models import RoleAssignment, User
from yinling.accounts.permissions import clear_grants
from yinling.accounts.policy import check_can_assign
from yinling.accounts.tokens import revoke_tokens
from yinling.audit import registry as audit_registry
from yinling.audit.models import AuditRecord
from yinling.audit.services import bulk_record, record
from yinling.core.scoping import can_at
from yinling.orgs.models import Org

__all__ = [
    "check_can_assign",
    "deactivate_accounts",
    "do_assign_role",
    "do_create_staff_user",
    "do_reset_otp",
    "do_revoke_role",
    "do_set_active",
    "do_set_elder_mode",
    "do_unlock",
    "do_update_staff_user",
    "move_accounts",
]


def _saved(obj: Any, before: dict[str, Any] | None, **extra: Any) -> None:
    """The record of a save made inside audit_registry.explicit(): what changed, and the event."""
    changes = audit_registry.changes_since(obj, before)
    if before is not None and not changes and not extra:
        return
    action = AuditRecord.Action.CREATE if before is None else AuditRecord.Action.UPDATE
    record(action, obj, changes=changes, extra=extra or None)


@transaction.atomic
def do_create_staff_user(*, by: Any, username: str, full_name: str, org: Org, password: str, email: str = "") -> User:
    if not can_at(by, User, "add", org):
        raise PermissionDenied(_("You may not add accounts on this org."))
    user = User(username=username, full_name=full_name, org=org, email=email, kind=User.Kind.STAFF)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    with audit_registry.explicit():
        user.save()
    _saved(user, None)
    return user


@transaction.atomic
def do_update_staff_user(*, by: Any, user: User, full_name: str, email: str, org: Org) -> User:
    """Change an account's name, e-mail or home org (moving it needs `change` on the new org too)."""
    policy.check(by, "change", user)
    if org.pk != user.org_id and not can_at(by, User, "change", org):
        raise PermissionDenied(_("You may not move accounts to this org."))
    user = User.objects.unrestricted().select_for_update().get(pk=user.pk)
    before = audit_registry.snapshot(user)
    user.full_name, user.email, user.org = full_name, email, org
    user.full_clean()
    with audit_registry.explicit():
        user.save(update_fields=["full_name", "email", "org"])
    _saved(user, before)
    return user


@transaction.atomic
def do_assign_role(*, by: Any, user: User, role: str, org: Org) -> RoleAssignment:
    policy.check_grant(by, role, org, user)
    with audit_registry.explicit():
        assignment, created = RoleAssignment.objects.unrestricted().get_or_create(
            user=user, role=role, org=org, defaults={"granted_by": by if getattr(by, "pk", None) else None}
        )
    if created:
        _saved(assignment, None)
    clear_grants(user)
    return assignment


@transaction.atomic
def do_revoke_role(*, by: Any, assignment: RoleAssignment) -> None:
    policy.check(by, "assign", assignment.user)
    check_can_assign(by, assignment.role, assignment.org)
    changes = audit_registry.deleted_changes(assignment)
    with audit_registry.explicit():
        assignment.delete()
    record(AuditRecord.Action.DELETE, assignment, changes=changes)
    clear_grants(assignment.user)


@transaction.atomic
def do_set_active(*, by: Any, user: User, active: bool) -> None:
    """Switch an account off (or on again): it keeps its roles and history."""
    policy.check(by, "deactivate", user)
    user = User.objects.unrestricted().select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return
    before = audit_registry.snapshot(user)
    user.is_active = active
    with audit_registry.explicit():
        user.save(update_fields=["is_active"])
    _saved(user, before, event="reactivated" if active else "deactivated")
    if not active:
        revoke_tokens(user, reason="deactivated")


@transaction.atomic
def do_unlock(*, by: Any, user: User) -> int:
    from axes.utils import reset

    policy.check(by, "unlock", user)
    count = reset(username=user.username) or 0
    record(AuditRecord.Action.SECURITY, user, extra={"event": "unlock", "attempts_cleared": count})
    return count


@transaction.atomic
def do_reset_otp(*, by: Any, user: User) -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    policy.check(by, "reset_otp", user)
    count, _detail = TOTPDevice.objects.filter(user=user).delete()
    record(AuditRecord.Action.SECURITY, user, extra={"event": "reset_two_factor", "devices_removed": count})
    return count


@transaction.atomic
def do_set_elder_mode(*, by: Any, enabled: bool) -> None:
    """A signed-in user's own display preference (not in the trail: `elder_mode` is in User.audit_exclude)."""
    if not getattr(by, "is_authenticated", False):
        return
    by.elder_mode = enabled
    by.save(update_fields=["elder_mode"])


@transaction.atomic
def move_accounts(*, moves: Iterable[tuple[int, int]], reason: str = "") -> int:
    """Move accounts to new home orgs in bulk, [(user id, org id)], one audit record per account moved.

    For services that already decided the move under their own policy (the registry's transfers and imports
    move a retiree's account with the person): the actor is the request's, as for every record. Returns how many
    moved.
    """
    wanted = dict(moves)
    accounts = User.objects.unrestricted().filter(pk__in=wanted).values_list("pk", "org_id", "username")
    changed = [(pk, old, wanted[pk], username) for pk, old, username in accounts if old != wanted[pk]]
    if not changed:
        return 0
    by_org: dict[int, list[int]] = {}
    for pk, _old, new, _name in changed:
        by_org.setdefault(new, []).append(pk)
    for org_id, pks in by_org.items():
        User.objects.unrestricted().filter(pk__in=pks).update(org_id=org_id)
    paths = dict(Org.objects.unrestricted().filter(pk__in=by_org).values_list("pk", "path"))
    extra = {"event": "moved", "reason": reason}
    bulk_record(
        [
            {
                "action": AuditRecord.Action.UPDATE,
                "object_type": User._meta.label_lower,
                "object_id": str(pk),
                "object_repr": username,
                "org_path": paths.get(new, ""),
                "changes": {"org_id": [old, new]},
                "extra": extra,
            }
            for pk, old, new, username in changed
        ]
    )
    return len(changed)


def deactivate_accounts(*, ids: Iterable[int], reason: str = "") -> int:
    """Switch accounts off in bulk, one audit record per account switched off; returns how many.

    For services that already decided it under their own policy (an import reporting a retiree's
    death: nobody may go on signing in as a person who has died). Accounts already off are left alone.
    """
    wanted = [pk for pk in ids if pk]
    rows = list(
        User.objects.unrestricted()
        .filter(pk__in=wanted, is_active=True)
        .select_for_update(of=("self",))  # the org join is outer (org may be null): PostgreSQL locks only users
        .values_list("pk", "username", "org__path")
    )
    if not rows:
        return 0
    User.objects.unrestricted().filter(pk__in=[pk for pk, _name, _path in rows]).update(is_active=False)
    extra = {"event": "deactivated", "reason": reason}
    bulk_record(
        [
            {
                "action": AuditRecord.Action.UPDATE,
                "object_type": User._meta.label_lower,
                "object_id": str(pk),
                "object_repr": username,
                "org_path": path or "",
                "changes": {"is_active": [True, False]},
                "extra": extra,
            }
            for pk, username, path in rows
        ]
    )
    return len(rows)

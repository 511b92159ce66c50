"""Account and role actions. Each is atomic and leaves an audit record (signals or explicit)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinling.accounts.models import RoleAssignment, User
from yinling.accounts.permissions import clear_grants, has_perm_at
from yinling.accounts.roles import ADMIN_ROLES, ROLES
from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.orgs.models import Org


def check_can_assign(granter: Any, role: str, org: Org) -> None:
    """Raise PermissionDenied unless `granter` may hand out `role` on `org`.

    Ordinary roles: the granter must hold accounts.assign_user there and every
    permission of the role there (never grant more than you hold). The three admin
    roles: only holders of accounts.assign_admin_roles (system admins).
    """
    if role not in ROLES:
        raise ValidationError(_("Unknown role."))
    if role in ADMIN_ROLES:
        if not has_perm_at(granter, "accounts.assign_admin_roles", org.path):
            raise PermissionDenied(_("Only a system administrator may assign the administrator roles."))
        return
    if not has_perm_at(granter, "accounts.assign_user", org.path):
        raise PermissionDenied(_("You may not assign roles on this org."))
    missing = [p for p in sorted(ROLES[role].perms) if not has_perm_at(granter, p, org.path)]
    if missing:
        raise PermissionDenied(_("You cannot grant a role with permissions you do not hold yourself."))


@transaction.atomic
def do_create_staff_user(*, by: Any, username: str, full_name: str, org: Org, password: str, email: str = "") -> User:
    if not has_perm_at(by, "accounts.add_user", org.path):
        raise PermissionDenied
    user = User(username=username, full_name=full_name, org=org, email=email, kind=User.Kind.STAFF)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def do_assign_role(*, by: Any, user: User, role: str, org: Org) -> RoleAssignment:
    check_can_assign(by, role, org)
    if user.org is None or not has_perm_at(by, "accounts.assign_user", user.org.path):
        raise PermissionDenied(_("This account is outside your scope."))
    assignment, _created = RoleAssignment.objects.unrestricted().get_or_create(
        user=user, role=role, org=org, defaults={"granted_by": by if getattr(by, "pk", None) else None}
    )
    clear_grants(user)
    return assignment


@transaction.atomic
def do_revoke_role(*, by: Any, assignment: RoleAssignment) -> None:
    check_can_assign(by, assignment.role, assignment.org)
    assignment.delete()
    clear_grants(assignment.user)


@transaction.atomic
def do_set_active(*, by: Any, user: User, active: bool) -> None:
    user.is_active = active
    user.save(update_fields=["is_active"])


@transaction.atomic
def do_unlock(*, by: Any, user: User) -> int:
    from axes.utils import reset

    count = reset(username=user.username) or 0
    record(AuditRecord.Action.SECURITY, user, extra={"event": "unlock", "attempts_cleared": count})
    return count


@transaction.atomic
def do_reset_otp(*, by: Any, user: User) -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    count, _detail = TOTPDevice.objects.filter(user=user).delete()
    record(AuditRecord.Action.SECURITY, user, extra={"event": "reset_two_factor", "devices_removed": count})
    return count

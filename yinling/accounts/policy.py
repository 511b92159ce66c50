"""Who may do what to an account: scope, the action's permission, and the 三员 separation.

The three administrators (system, security, audit; `roles.ADMIN_ROLES`) are kept apart from business work both
ways (等保 2.0 三权分立):

- Business roles never act on an administrator's account. Changing, handing roles to, deactivating, unlocking or
  resetting an account that holds an administrator role needs the action's permission *through an administrator
  role*: a system administrator maintains such accounts and their roles, a security administrator unlocks,
  resets and deactivates them. A bureau admin's `accounts.deactivate_user` does not reach the audit administrator.
- Only a system administrator (`accounts.assign_admin_roles`) hands out an administrator role, only to a staff
  account, and an account that holds one holds nothing else: no second administrator role, no business role.
  (Retiree accounts get new passwords through the registry's activation codes, which staff issue; so no
  administrator account may be a retiree account.)
- Nobody changes their own roles or deactivates, unlocks or resets themselves through these actions.
- The action's permission must cover the account's whole reach (`reach()`: its home org and every role's org),
  not only its home org: a city admin does not deactivate, reset or change someone who holds a province role.
- Retiree accounts hold no staff role (`roles.may_hold`); only a role registered with `for_retirees=True` may go
  to one.

Every `do_*` function in `accounts.services` calls `check()` first; pages call `allowed()` to decide which
buttons to show, so pages and any later API obey the same rule.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from yinling.accounts.models import RoleAssignment, User
from yinling.accounts.roles import ADMIN_ROLES, ROLES, Role, may_hold
from yinling.core.scoping import can, can_at, object_path, path_in, user_paths
from yinling.orgs.models import Org

# Account actions; each needs accounts.<action>_user on the account's org.
ACTIONS = ("change", "assign", "deactivate", "unlock", "reset_otp")
_NOT_ON_SELF = frozenset({"assign", "deactivate", "unlock", "reset_otp"})
_NO_ROLE = Role("", "")


def is_admin_account(user: User) -> bool:
    """Whether the account holds any of the three administrator roles (on any org)."""
    return RoleAssignment.objects.unrestricted().filter(user_id=user.pk, role__in=ADMIN_ROLES).exists()


def _through_admin_role(by: Any, perm: str, path: str) -> bool:
    """Whether `by` holds `perm` at `path` through one of the administrator roles (not a business role)."""
    if not path or not getattr(by, "is_authenticated", False) or not by.is_active:
        return False
    held = RoleAssignment.objects.unrestricted().filter(user_id=by.pk, role__in=ADMIN_ROLES, org__is_active=True)
    roots = [root for role, root in held.values_list("role", "org__path") if perm in ROLES.get(role, _NO_ROLE).perms]
    return path_in(path, roots)


def reach(target: User) -> list[str]:
    """The org paths an account can reach: its home org and the org of every role it holds (on inactive orgs
    too, which grant nothing today but do again when switched back on)."""
    roles_at = RoleAssignment.objects.unrestricted().filter(user_id=target.pk).values_list("org__path", flat=True)
    return list(dict.fromkeys([object_path(target), *roles_at]))


def refusal(by: Any, action: str, target: User) -> str | None:
    """Why `by` may not do `action` to `target` (a message), or None when allowed.

    Scope (404) is the caller's business: views look the account up in the user's scope first. Inside the
    scope, the action's permission must cover the account's whole reach, not only its home org: whoever can
    reset or switch off an account can take over or stop what its roles reach, so a city admin does not act
    on someone with a province role.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown account action {action!r}")
    if not can(by, action, target):
        return _("You may not do this to this account.")
    if action in _NOT_ON_SELF and getattr(by, "pk", None) == target.pk:
        return _("You cannot do this to your own account.")
    paths = reach(target)
    perm = f"accounts.{action}_user"
    if is_admin_account(target):
        if not all(_through_admin_role(by, perm, path) for path in paths):
            return _(
                "This account holds a system, security or audit administrator role: only the administrators the "
                "rules name may change it."
            )
    elif not all(path_in(path, user_paths(by, perm)) for path in paths if path):
        return _("This account holds a role beyond your scope: only someone whose scope covers it may do this.")
    return None


def allowed(by: Any, action: str, target: User) -> bool:
    return refusal(by, action, target) is None


def check(by: Any, action: str, target: User) -> None:
    """Raise PermissionDenied (with the reason) unless `by` may do `action` to `target`."""
    reason = refusal(by, action, target)
    if reason is not None:
        raise PermissionDenied(reason)


def _holds_at(user: Any, perm: str, org: Org) -> bool:
    """Whether `user` holds a permission string (any, not only `app.action_model`) on `org`."""
    return org.is_active and path_in(org.path, user_paths(user, perm))


def check_can_assign(granter: Any, role: str, org: Org) -> None:
    """Raise PermissionDenied unless `granter` may hand out `role` on `org`.

    Ordinary roles: the granter must hold accounts.assign_user there and every
    permission of the role there (never grant more than you hold). The three admin
    roles: only holders of accounts.assign_admin_roles (system admins).
    """
    if role not in ROLES:
        raise ValidationError(_("Unknown role."))
    if role in ADMIN_ROLES:
        if not _holds_at(granter, "accounts.assign_admin_roles", org):
            raise PermissionDenied(_("Only a system administrator may assign the administrator roles."))
        return
    if not can_at(granter, User, "assign", org):
        raise PermissionDenied(_("You may not assign roles on this org."))
    missing = [p for p in sorted(ROLES[role].perms) if not _holds_at(granter, p, org)]
    if missing:
        raise PermissionDenied(_("You cannot grant a role with permissions you do not hold yourself."))


def check_grant(by: Any, role: str, org: Org, target: User) -> None:
    """Raise PermissionDenied unless `by` may give `target` the role `role` on `org`'s subtree."""
    check(by, "assign", target)
    check_can_assign(by, role, org)
    check_separation(role, target)


def check_separation(role: str, target: User) -> None:
    """Raise PermissionDenied if `target` taking `role` would mix an administrator role with any other
    (also for the `grant_role` bootstrap command, which has no granter to check)."""
    if role in ADMIN_ROLES and target.kind != User.Kind.STAFF:
        raise PermissionDenied(_("The administrator roles go to staff accounts only."))
    if not may_hold(target.kind, role):
        # A retiree signs in with a phone number and a code staff issue, with a long idle time and no second
        # factor: such an account must never carry a staff role's rights over other people's records.
        raise PermissionDenied(_("Retiree accounts cannot hold staff roles."))
    others = set(
        RoleAssignment.objects.unrestricted()
        .filter(user_id=target.pk)
        .exclude(role=role)
        .values_list("role", flat=True)
    )
    if (role in ADMIN_ROLES and others) or (role not in ADMIN_ROLES and others & ADMIN_ROLES):
        raise PermissionDenied(
            _("An account with a system, security or audit administrator role holds that role and no other.")
        )

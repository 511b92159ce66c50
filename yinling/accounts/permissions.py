"""Resolve a user's role assignments into (subtree path, permissions) grants."""

from __future__ import annotations

from typing import Any

from yinling.accounts.roles import ROLES, may_hold

_CACHE_ATTR = "_yinling_grants"


def grants_for(user: Any) -> list[tuple[str, frozenset[str]]]:
    """[(org path, perms)] for every assignment; cached on the user object for one request.

    A role the account's kind may not hold (a staff role on a retiree account, written before the rule or by
    hand) grants nothing: the services refuse such rows, and this keeps old or forged ones from working.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from yinling.accounts.models import RoleAssignment

        kind = getattr(user, "kind", "staff")
        cached = [
            (path, frozenset(ROLES[role].perms) if may_hold(kind, role) else frozenset())
            for role, path in RoleAssignment.objects.unrestricted()
            .filter(user=user, org__is_active=True)
            .values_list("role", "org__path")
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_perm_at(user: Any, perm: str, path: str) -> bool:
    """Whether `user` holds `perm` on the org at `path` (through it or an ancestor)."""
    return any(path.startswith(p) and perm in perms for p, perms in grants_for(user))


def roles_at(user: Any) -> list[tuple[str, str]]:
    from yinling.accounts.models import RoleAssignment

    return list(RoleAssignment.objects.unrestricted().filter(user=user).values_list("role", "org__code"))


def needs_two_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from yinling.accounts.models import RoleAssignment
    from yinling.accounts.roles import ADMIN_ROLES

    return RoleAssignment.objects.unrestricted().filter(user=user, role__in=ADMIN_ROLES).exists()

"""Roles and the permissions they grant.

A role is a named set of permission strings (`app_label.action_model`, as Django
names them). Modules extend the built-in roles with `grant()` and add roles of their
own with `register_role()` from their AppConfig.ready(), so the registry is complete
before the first request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
BUREAU_ADMIN = "bureau_admin"
CLERK = "clerk"
LEADER = "leader"

# The 三员 (separation of duties): these need two factors and only a system admin
# (or the `grant_role` command) may hand them out.
ADMIN_ROLES = frozenset({SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN})


@dataclass
class Role:
    code: str
    label: str | Promise
    perms: set[str] = field(default_factory=set)
    description: str | Promise = ""
    order: int = 100
    # Staff roles (all built-in ones) go to staff accounts only; a module that registers a role meant for
    # retirees (a team leader, a branch secretary) says so here, and it may then go to a retiree account.
    for_retirees: bool = False

    @property
    def needs_two_factor(self) -> bool:
        return self.code in ADMIN_ROLES


ROLES: dict[str, Role] = {}


def register_role(
    code: str,
    label: str | Promise,
    perms: set[str],
    description: str | Promise = "",
    order: int = 100,
    *,
    for_retirees: bool = False,
) -> Role:
    role = ROLES.setdefault(code, Role(code, label, set(), description, order, for_retirees))
    role.perms |= perms
    return role


def grant(role_codes: list[str] | tuple[str, ...], perms: set[str]) -> None:
    """Add permissions to existing roles (used by later modules)."""
    for code in role_codes:
        ROLES[code].perms |= perms


def crud(model: str, *actions: str) -> set[str]:
    """crud("orgs.org", "view", "add") -> {"orgs.view_org", "orgs.add_org"}."""
    app, name = model.split(".")
    return {f"{app}.{action}_{name}" for action in actions}


def role_choices() -> list[tuple[str, str | Promise]]:
    return [(r.code, r.label) for r in sorted(ROLES.values(), key=lambda r: r.order)]


def may_hold(kind: str, role: str) -> bool:
    """Whether an account of `kind` ("staff" or "retiree") may hold `role`."""
    known = ROLES.get(role)
    return known is not None and (kind == "staff" or known.for_retirees)


register_role(
    SYSTEM_ADMIN,
    _("System administrator"),
    order=1,
    description=_("Maintains the org tree and accounts; no business data, no audit trail."),
    perms=crud("orgs.org", "view", "add", "change", "delete", "export")
    | crud("accounts.user", "view", "add", "change", "export")
    | {"accounts.assign_user", "accounts.assign_admin_roles"},
)
register_role(
    SECURITY_ADMIN,
    _("Security administrator"),
    order=2,
    description=_("Unlocks accounts, resets two-factor devices, reviews sign-in security."),
    perms=crud("orgs.org", "view") | crud("accounts.user", "view", "unlock", "reset_otp", "deactivate"),
)
register_role(
    AUDIT_ADMIN,
    _("Audit administrator"),
    order=3,
    description=_("Reads and exports the audit trail; changes nothing."),
    perms=crud("orgs.org", "view") | crud("audit.auditrecord", "view", "export"),
)
register_role(
    BUREAU_ADMIN,
    _("Bureau administrator"),
    order=10,
    description=_("Manages staff accounts and business data in its subtree."),
    perms=crud("orgs.org", "view", "add", "change", "export")
    | crud("accounts.user", "view", "add", "change", "deactivate", "export")
    | {"accounts.assign_user"},
)
register_role(
    CLERK,
    _("Clerk"),
    order=20,
    description=_("Edits business data in its subtree."),
    perms=crud("orgs.org", "view", "export"),
)
register_role(
    LEADER,
    _("Leader"),
    order=30,
    description=_("Reads everything in its subtree."),
    perms=crud("orgs.org", "view"),
)

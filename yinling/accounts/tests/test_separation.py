"""三员: business roles never act on an administrator's account; only the roles the rules name do.

Every account action × every persona, through the service (which decides) and through the page (which must
answer 302 when allowed, 403 when refused inside the scope, 404 outside it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from yinling.accounts import policy, roles, services
from yinling.accounts.models import RoleAssignment, User
from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_user

pytestmark = pytest.mark.django_db

ACTORS = (
    "system_admin",
    "security_admin",
    "audit_admin",
    "bureau_admin",
    "clerk",
    "leader",
    "norole",
    "outsider",
    "retiree",
    "family",
)
ADMIN_TARGETS = {"t_system": roles.SYSTEM_ADMIN, "t_security": roles.SECURITY_ADMIN, "t_audit": roles.AUDIT_ADMIN}
TARGETS = (*ADMIN_TARGETS, "t_clerk")
ACTIONS = ("change", "assign", "deactivate", "unlock", "reset_otp")

# Who may, by the rules (docs/architecture.md, Roles and scoping). Everyone else is refused.
ON_ADMIN = {
    "change": {"system_admin"},
    "assign": {"system_admin"},
    "deactivate": {"security_admin"},
    "unlock": {"security_admin"},
    "reset_otp": {"security_admin"},
}
ON_BUSINESS = {
    "change": {"system_admin", "bureau_admin"},
    "assign": {"bureau_admin"},  # a system admin holds no business permission, so grants no business role
    "deactivate": {"security_admin", "bureau_admin"},
    "unlock": {"security_admin"},
    "reset_otp": {"security_admin"},
}


def expected(action: str, actor: str, target: str) -> bool:
    return actor in (ON_ADMIN if target in ADMIN_TARGETS else ON_BUSINESS)[action]


def gate(action: str, actor: str, target: str) -> bool:
    """The account policy's answer; for "assign" the role itself is checked next (check_can_assign)."""
    if action == "assign" and target not in ADMIN_TARGETS and actor == "system_admin":
        return True  # may manage the account's roles, but holds no business permission to hand out
    return expected(action, actor, target)


def make_target(cast: Cast, name: str) -> User:
    """An account at county A1 (inside city A and the province); administrators hold their role on the province."""
    t = cast.tree
    if name in ADMIN_TARGETS:
        return make_user(name, t.county_a, ADMIN_TARGETS[name], at=t.province)
    return make_user(name, t.county_a, roles.CLERK)


def role_to_grant(actor: str, target: str) -> str:
    # The system admin hands an administrator the same role on another org; everyone else tries a business role
    # (which a bureau admin could grant to anyone before the rule).
    return ADMIN_TARGETS[target] if actor == "system_admin" and target in ADMIN_TARGETS else roles.CLERK


def run(cast: Cast, action: str, by: User, target: User, target_name: str, actor: str) -> Callable[[], Any]:
    t = cast.tree
    return {
        "change": lambda: services.do_update_staff_user(
            by=by, user=target, full_name="改过的名字", email="", org=target.org
        ),
        "assign": lambda: services.do_assign_role(
            by=by, user=target, role=role_to_grant(actor, target_name), org=t.city_a
        ),
        "deactivate": lambda: services.do_set_active(by=by, user=target, active=False),
        "unlock": lambda: services.do_unlock(by=by, user=target),
        "reset_otp": lambda: services.do_reset_otp(by=by, user=target),
    }[action]


def effect(action: str, target: User, since: int = 0) -> bool:
    """Whether the action left its mark (the account changed, or a security record after `since` was written)."""
    target.refresh_from_db()
    records = AuditRecord.objects.filter(object_id=str(target.pk), id__gt=since)
    return {
        "change": lambda: target.full_name == "改过的名字",
        "assign": lambda: RoleAssignment.objects.filter(user=target, org__code="330100").exists(),
        "deactivate": lambda: not target.is_active,
        "unlock": lambda: records.filter(extra__event="unlock").exists(),
        "reset_otp": lambda: records.filter(extra__event="reset_two_factor").exists(),
    }[action]()


@pytest.mark.parametrize("target_name", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
def test_it_lets_only_the_named_roles_act_on_an_account(cast: Cast, action: str, actor: str, target_name: str) -> None:
    target = make_target(cast, target_name)
    by = cast.user(actor)
    assert by is not None
    assert policy.allowed(by, action, target) is gate(action, actor, target_name)
    do = run(cast, action, by, target, target_name, actor)
    if expected(action, actor, target_name):
        do()
        assert effect(action, target)
    else:
        with pytest.raises(PermissionDenied):
            do()
        assert not effect(action, target)


def page_request(client: Client, action: str, target: User, actor: str, target_name: str) -> Any:
    base = f"/accounts/users/{target.pk}/"
    if action == "change":
        return client.post(base + "edit/", {"full_name": "改过的名字", "email": "", "org": target.org.pk})
    if action == "assign":
        return client.post(base + "assign/", {"role": role_to_grant(actor, target_name), "org": "330100"})
    if action == "deactivate":
        return client.post(base + "active/", {"active": "0"})
    return client.post(base + {"unlock": "unlock/", "reset_otp": "reset-otp/"}[action])


@pytest.mark.parametrize("target_name", ["t_audit", "t_clerk"])
@pytest.mark.parametrize("action", ACTIONS)
def test_it_answers_on_the_pages_as_the_service_decides(cast: Cast, action: str, target_name: str) -> None:
    target = make_target(cast, target_name)
    for actor in ACTORS:
        by = cast.user(actor)
        in_scope = User.objects.restrict(by, None).filter(pk=target.pk).exists()
        since = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = page_request(login_client(by), action, target, actor, target_name)
        # A role the granter may not hand out is a message on the account page (302), not a 403.
        want = 302 if gate(action, actor, target_name) else 403 if in_scope else 404
        assert response.status_code == want, (actor, response.status_code)
        assert effect(action, target, since) is expected(action, actor, target_name), actor
        # Undo, so the next actor starts from the same account.
        User.objects.filter(pk=target.pk).update(full_name=target_name, is_active=True)
        RoleAssignment.objects.filter(user=target, org__code="330100").delete()


def test_it_refuses_the_edit_page_of_an_administrator_to_a_bureau_admin(cast: Cast) -> None:
    auditor = make_target(cast, "t_audit")
    client = login_client(cast.bureau_admin)
    assert client.get(f"/accounts/users/{auditor.pk}/edit/").status_code == 403
    page = client.get(f"/accounts/users/{auditor.pk}/")
    assert page.status_code == 200
    ctx = page.context
    assert not any(ctx[k] for k in ("can_change", "can_assign", "can_deactivate", "can_unlock", "can_reset_otp"))


def test_it_keeps_an_administrator_account_to_its_one_role(cast: Cast) -> None:
    t = cast.tree
    business = make_user("business", t.county_a, roles.CLERK)
    with pytest.raises(PermissionDenied):  # a business account gets no administrator role
        services.do_assign_role(by=cast.system_admin, user=business, role=roles.AUDIT_ADMIN, org=t.province)
    auditor = make_target(cast, "t_audit")
    with pytest.raises(PermissionDenied):  # nor a second administrator role
        services.do_assign_role(by=cast.system_admin, user=auditor, role=roles.SECURITY_ADMIN, org=t.province)
    with pytest.raises(PermissionDenied):  # retiree accounts get their passwords from staff-issued codes
        services.do_assign_role(by=cast.system_admin, user=cast.retiree, role=roles.AUDIT_ADMIN, org=t.province)
    with pytest.raises(PermissionDenied):  # and nobody grants themselves a role
        services.do_assign_role(by=cast.system_admin, user=cast.system_admin, role=roles.SYSTEM_ADMIN, org=t.city_a)
    fresh = make_user("fresh", t.county_a)
    services.do_assign_role(by=cast.system_admin, user=fresh, role=roles.AUDIT_ADMIN, org=t.province)
    assert RoleAssignment.objects.filter(user=fresh, role=roles.AUDIT_ADMIN).exists()


def test_it_lets_only_the_system_admin_revoke_an_administrator_role(cast: Cast) -> None:
    auditor = make_target(cast, "t_audit")
    assignment = RoleAssignment.objects.get(user=auditor)
    provincial = make_user("provincial", cast.tree.province, roles.BUREAU_ADMIN)
    for by in (provincial, cast.security_admin, cast.audit_admin, cast.bureau_admin):
        with pytest.raises(PermissionDenied):
            services.do_revoke_role(by=by, assignment=assignment)
    services.do_revoke_role(by=cast.system_admin, assignment=assignment)
    assert not RoleAssignment.objects.filter(user=auditor).exists()
    record = AuditRecord.objects.get(action="delete", object_type="accounts.roleassignment")
    assert record.changes["role"] == [roles.AUDIT_ADMIN, None]


def test_it_records_each_account_action_once_with_its_event(cast: Cast) -> None:
    clerk = make_target(cast, "t_clerk")
    before = AuditRecord.objects.filter(object_type="accounts.user", object_id=str(clerk.pk)).count()
    services.do_set_active(by=cast.security_admin, user=clerk, active=False)
    records = AuditRecord.objects.filter(object_type="accounts.user", object_id=str(clerk.pk)).order_by("id")
    assert records.count() == before + 1
    last = records.last()
    assert last is not None
    assert last.changes == {"is_active": [True, False]} and last.extra == {"event": "deactivated"}
    assert last.actor_username == "" or last.actor_username == "secadmin"


def test_it_keeps_the_bootstrap_command_to_one_administrator_role(cast: Cast) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("grant_role", "auditadmin", roles.SECURITY_ADMIN, "330000")
    with pytest.raises(CommandError):
        call_command("grant_role", "clerk", roles.AUDIT_ADMIN, "330000")
    assert not RoleAssignment.objects.filter(user=cast.audit_admin, role=roles.SECURITY_ADMIN).exists()
    call_command("grant_role", "norole", roles.AUDIT_ADMIN, "330000", stdout=None)
    assert RoleAssignment.objects.filter(user=cast.norole, role=roles.AUDIT_ADMIN).exists()

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from yinling.accounts import roles
from yinling.accounts.models import RoleAssignment
from yinling.accounts.services import check_can_assign, do_assign_role, do_revoke_role
from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, Tree, make_user

pytestmark = pytest.mark.django_db


def test_it_lets_a_bureau_admin_grant_roles_it_holds_in_its_subtree(personas: Personas) -> None:
    t = personas.tree
    target = make_user("newclerk", t.county_a)
    do_assign_role(by=personas.owner, user=target, role=roles.CLERK, org=t.county_a)
    assert RoleAssignment.objects.filter(user=target, role=roles.CLERK, org=t.county_a).exists()
    assert AuditRecord.objects.filter(action="create", object_type="accounts.roleassignment").exists()


def test_it_refuses_grants_outside_the_subtree(personas: Personas) -> None:
    t = personas.tree
    target = make_user("newclerk", t.county_a)
    with pytest.raises(PermissionDenied):
        do_assign_role(by=personas.owner, user=target, role=roles.CLERK, org=t.county_b)
    with pytest.raises(PermissionDenied):
        do_assign_role(by=personas.owner, user=target, role=roles.CLERK, org=t.province)


def test_it_refuses_to_grant_accounts_outside_the_subtree(personas: Personas) -> None:
    stranger = make_user("stranger", personas.tree.county_b)
    with pytest.raises(PermissionDenied):
        do_assign_role(by=personas.owner, user=stranger, role=roles.CLERK, org=personas.tree.county_a)


def test_it_never_grants_more_than_the_granter_holds(tree: Tree) -> None:
    admin = make_user("admin", tree.city_a, roles.BUREAU_ADMIN)
    for role in (roles.SYSTEM_ADMIN, roles.SECURITY_ADMIN, roles.AUDIT_ADMIN):
        with pytest.raises(PermissionDenied):
            check_can_assign(admin, role, tree.county_a)
    # A role with a permission the granter lacks: register one for the test.
    roles.register_role("test_super", "test", {"orgs.delete_org"})
    try:
        with pytest.raises(PermissionDenied):
            check_can_assign(admin, "test_super", tree.county_a)
    finally:
        roles.ROLES.pop("test_super")


def test_it_lets_only_system_admins_grant_admin_roles(tree: Tree) -> None:
    sysadmin = make_user("sys", tree.province, roles.SYSTEM_ADMIN)
    target = make_user("auditor", tree.province)
    do_assign_role(by=sysadmin, user=target, role=roles.AUDIT_ADMIN, org=tree.province)
    assert RoleAssignment.objects.filter(user=target, role=roles.AUDIT_ADMIN).exists()


def test_it_refuses_revoking_roles_above_the_revoker(personas: Personas) -> None:
    t = personas.tree
    boss = make_user("boss", t.province, roles.BUREAU_ADMIN)
    assignment = RoleAssignment.objects.get(user=boss)
    with pytest.raises(PermissionDenied):
        do_revoke_role(by=personas.owner, assignment=assignment)


def test_it_assigns_through_the_staff_page(personas: Personas) -> None:
    t = personas.tree
    target = make_user("newclerk", t.county_a)
    client = login_client(personas.owner)
    page = client.get(f"/accounts/users/{target.pk}/")
    assert page.status_code == 200 and page.context["can_assign"]
    response = client.post(f"/accounts/users/{target.pk}/assign/", {"role": roles.CLERK, "org": t.county_a.code})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=target, role=roles.CLERK).exists()
    # An org outside the admin's subtree is not even a valid choice.
    client.post(f"/accounts/users/{target.pk}/assign/", {"role": roles.CLERK, "org": t.county_b.code})
    assert not RoleAssignment.objects.filter(user=target, org=t.county_b).exists()


def test_it_limits_account_actions_by_role(personas: Personas) -> None:
    target = make_user("newclerk", personas.tree.county_a)
    assert (
        login_client(personas.limited)
        .post(f"/accounts/users/{target.pk}/assign/", {"role": roles.CLERK, "org": "330106"})
        .status_code
        == 403
    )
    assert (
        login_client(personas.outsider).post(f"/accounts/users/{target.pk}/active/", {"active": "0"}).status_code == 404
    )
    assert login_client(personas.owner).post(f"/accounts/users/{target.pk}/unlock/").status_code == 403
    response = login_client(personas.owner).post(f"/accounts/users/{target.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False


def test_it_shows_only_permitted_navigation(personas: Personas) -> None:
    owner_page = login_client(personas.owner).get("/").content.decode()
    limited_page = login_client(personas.limited).get("/").content.decode()
    assert 'href="/accounts/users/"' in owner_page
    assert 'href="/accounts/users/"' not in limited_page
    assert 'href="/audit/"' not in owner_page
    assert 'href="/orgs/"' in limited_page

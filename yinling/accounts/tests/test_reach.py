"""An administrator acts on an account only when their scope covers everything the account can reach: its home
org and the org of every role it holds (a city admin cannot switch off or reset someone with a province role)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from yinling.accounts import policy, roles, services
from yinling.accounts.models import RoleAssignment, User
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def wide(cast: Cast) -> User:
    """Home org in city A (inside the city admin's subtree) but a leader on the whole province."""
    return make_user("wide", cast.tree.county_a, roles.LEADER, at=cast.tree.province)


@pytest.mark.parametrize("action", ["change", "assign", "deactivate"])
def test_it_refuses_a_city_admin_an_account_with_a_province_role(cast: Cast, wide: User, action: str) -> None:
    assert not policy.allowed(cast.bureau_admin, action, wide)
    with pytest.raises(PermissionDenied):
        policy.check(cast.bureau_admin, action, wide)


def test_it_refuses_the_services_for_an_account_that_reaches_beyond_the_admin(cast: Cast, wide: User) -> None:
    with pytest.raises(PermissionDenied):
        services.do_set_active(by=cast.bureau_admin, user=wide, active=False)
    with pytest.raises(PermissionDenied):
        services.do_update_staff_user(by=cast.bureau_admin, user=wide, full_name="x", email="", org=wide.org)
    with pytest.raises(PermissionDenied):
        services.do_assign_role(by=cast.bureau_admin, user=wide, role=roles.CLERK, org=cast.tree.county_a)
    wide.refresh_from_db()
    assert wide.is_active and wide.full_name == "wide"


def test_it_refuses_a_security_admin_below_an_accounts_role(cast: Cast) -> None:
    city_security = make_user("citysec", cast.tree.city_a, roles.SECURITY_ADMIN)
    target = make_user("sideways", cast.tree.county_a, roles.CLERK)
    RoleAssignment.objects.create(user=target, role=roles.LEADER, org=cast.tree.city_b)
    for action in ("unlock", "reset_otp", "deactivate"):
        assert not policy.allowed(city_security, action, target), action
    with pytest.raises(PermissionDenied):
        services.do_unlock(by=city_security, user=target)


def test_it_refuses_the_account_page_buttons_and_posts(cast: Cast, wide: User) -> None:
    client = login_client(cast.bureau_admin)
    page = client.get(f"/accounts/users/{wide.pk}/")
    assert page.status_code == 200
    assert not page.context["can_deactivate"] and not page.context["can_change"]
    assert client.post(f"/accounts/users/{wide.pk}/active/", {"active": "0"}).status_code == 403
    wide.refresh_from_db()
    assert wide.is_active


def test_it_lets_an_admin_whose_scope_covers_every_role_act(cast: Cast) -> None:
    inside = make_user("inside", cast.tree.county_a, roles.CLERK)
    RoleAssignment.objects.create(user=inside, role=roles.LEADER, org=cast.tree.city_a)
    assert policy.allowed(cast.bureau_admin, "deactivate", inside)
    province_admin = make_user("provadmin", cast.tree.province, roles.BUREAU_ADMIN)
    wide = make_user("wide2", cast.tree.county_a, roles.LEADER, at=cast.tree.province)
    services.do_set_active(by=province_admin, user=wide, active=False)
    wide.refresh_from_db()
    assert not wide.is_active

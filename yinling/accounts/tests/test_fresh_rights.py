"""Rights are read at every request: a role granted or removed counts from the next request on, for
sessions (including whether two-factor sign-in is required) and for API tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from yinling.accounts import roles, services
from yinling.accounts.models import RoleAssignment
from yinling.testing.personas import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_it_requires_two_factor_from_the_request_after_an_admin_role_is_granted(cast: Cast) -> None:
    client = signed_in("norole")
    assert client.get("/accounts/me/").status_code == 200
    services.do_assign_role(by=cast.system_admin, user=cast.norole, role=roles.SECURITY_ADMIN, org=cast.tree.city_a)
    response = client.get("/accounts/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_it_stops_requiring_two_factor_once_the_admin_role_is_removed(cast: Cast) -> None:
    client = signed_in("secadmin")
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/two-factor/")
    RoleAssignment.objects.filter(user=cast.security_admin).delete()
    assert client.get("/accounts/me/").status_code == 200


def test_it_reads_a_removed_role_at_the_next_session_request(cast: Cast) -> None:
    client = signed_in("leader")
    assert client.get("/orgs/").status_code == 200
    RoleAssignment.objects.filter(user=cast.leader).delete()
    assert client.get("/orgs/").status_code == 403

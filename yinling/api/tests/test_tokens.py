"""API tokens: stored hashed, expiring, revoked by the account's events, listed and revoked by their owner."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from yinling.accounts import roles, services
from yinling.accounts.models import RoleAssignment
from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str = PASSWORD) -> dict[str, str]:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    status = api(token).get("/api/v1/me/").status_code
    assert status in (200, 401)
    return status == 200


def test_it_stores_only_a_hash_of_the_token(cast: Cast) -> None:
    token = sign_in("clerk")["token"]
    row = AuthToken.objects.get(user=cast.clerk)
    assert token not in (row.digest, row.token_key)
    assert row.token_key == token[:15]
    assert works(token)


def test_it_expires_staff_tokens_after_a_working_day(cast: Cast) -> None:
    body = sign_in("clerk")
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert dt.timedelta(hours=9, minutes=59) < expiry - timezone.now() <= dt.timedelta(hours=10)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=9)):
        assert works(body["token"])
    with time_machine.travel(timezone.now() + dt.timedelta(hours=10, minutes=1)):
        assert not works(body["token"])


def test_it_gives_retiree_tokens_the_retiree_lifetime(cast: Cast) -> None:
    body = sign_in(cast.retiree.username)
    left = dt.datetime.fromisoformat(body["expiry"]) - timezone.now()
    assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)


def test_it_revokes_tokens_when_the_password_changes(cast: Cast) -> None:
    token = sign_in("clerk")["token"]
    client = login_client(cast.clerk)
    new = "Another-Passw0rd!"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert not works(token)
    assert AuditRecord.objects.filter(extra__event="api_tokens_revoked", extra__reason="password_changed").exists()


def test_it_revokes_tokens_when_the_account_is_deactivated(cast: Cast) -> None:
    token = sign_in("clerk")["token"]
    services.do_set_active(by=cast.bureau_admin, user=cast.clerk, active=False)
    assert not AuthToken.objects.filter(user=cast.clerk).exists()
    services.do_set_active(by=cast.bureau_admin, user=cast.clerk, active=True)
    assert not works(token)


def test_it_revokes_tokens_when_a_role_is_granted(cast: Cast) -> None:
    # A token minted without two-factor must not carry an administrator role granted afterwards.
    token = sign_in("norole")["token"]
    services.do_assign_role(by=cast.system_admin, user=cast.norole, role=roles.SECURITY_ADMIN, org=cast.tree.city_a)
    assert not works(token)
    refused = APIClient().post("/api/v1/auth/token/", {"username": "norole", "password": PASSWORD}, format="json")
    assert refused.status_code == 400


def test_it_revokes_tokens_when_a_role_is_removed(cast: Cast) -> None:
    token = sign_in("leader")["token"]
    services.do_revoke_role(by=cast.bureau_admin, assignment=RoleAssignment.objects.get(user=cast.leader))
    assert not works(token)


def test_it_revokes_the_token_used_to_sign_out_and_no_other(cast: Cast) -> None:
    first, second = sign_in("clerk")["token"], sign_in("clerk")["token"]
    assert api(first).post("/api/v1/auth/logout/").status_code == 204
    assert not works(first)
    assert works(second)


def test_it_lists_and_revokes_only_the_callers_own_tokens(cast: Cast) -> None:
    first, second = sign_in("clerk")["token"], sign_in("clerk")["token"]
    other = sign_in("leader")["token"]
    rows = api(first).get("/api/v1/auth/tokens/").json()
    assert {row["id"] for row in rows} == {first[:15], second[:15]}
    assert [row["current"] for row in rows if row["id"] == first[:15]] == [True]
    assert all(set(row) == {"id", "created", "expiry", "current"} for row in rows)
    assert api(first).delete(f"/api/v1/auth/tokens/{other[:15]}/").status_code == 404
    assert works(other)
    assert api(first).delete(f"/api/v1/auth/tokens/{second[:15]}/").status_code == 204
    assert not works(second)
    assert works(first)


def test_it_lists_and_revokes_tokens_on_the_profile_page(cast: Cast) -> None:
    token = sign_in("clerk")["token"]
    client: Client = login_client(cast.clerk)
    page = client.get("/accounts/me/")
    assert token[:15] in page.content.decode()
    assert client.post(f"/accounts/me/tokens/{token[:15]}/revoke/").status_code == 302
    assert not works(token)
    assert AuditRecord.objects.filter(extra__event="api_token_revoked").exists()


def test_it_revokes_a_retirees_tokens_when_staff_issue_a_new_activation_code(cast: Cast) -> None:
    from yinling.registry.accounts import issue_activation_code

    token = sign_in(cast.retiree.username)["token"]
    issue_activation_code(by=cast.bureau_admin, retiree=cast.retiree_record)
    assert not works(token)


def test_it_ends_the_browser_session_when_a_session_caller_signs_out(cast: Cast) -> None:
    client = login_client(cast.clerk)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_it_drops_expired_tokens_when_the_account_signs_in_again(cast: Cast) -> None:
    old = sign_in("clerk")["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=11)):
        sign_in("clerk")
    assert not AuthToken.objects.filter(user=cast.clerk, token_key=old[:15]).exists()


def test_it_refuses_and_deletes_an_expired_token_and_leaves_the_others(cast: Cast) -> None:
    old = sign_in("clerk")["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=9)):
        newer = sign_in("clerk")["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=11)):
        assert not works(old)  # past its ten hours
        assert not AuthToken.objects.filter(token_key=old[:15]).exists()
        assert works(newer)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=20)):
        assert not works(newer)


def test_it_retires_the_oldest_token_past_the_per_user_limit(cast: Cast, settings: object) -> None:
    settings.API_TOKENS_PER_USER = 3  # type: ignore[attr-defined]
    issued = []
    for minute in range(5):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=minute)):
            issued.append(sign_in("clerk")["token"])
    assert [works(t) for t in issued] == [False, False, True, True, True]
    assert AuthToken.objects.filter(user=cast.clerk).count() == 3
    retired = AuditRecord.objects.filter(extra__reason="token_limit", object_id=str(cast.clerk.pk))
    assert [r.extra["tokens_revoked"] for r in retired.order_by("id")] == [1, 1]
    assert sign_in("bureauadmin")["token"] and works(issued[-1])  # another account's tokens count apart

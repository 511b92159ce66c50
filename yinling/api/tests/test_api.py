from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from yinling.accounts import roles
from yinling.testing.personas import PASSWORD, Personas, Tree, make_user

pytestmark = pytest.mark.django_db


def token_for(username: str, password: str = PASSWORD, **extra: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_it_issues_a_token_for_valid_credentials(personas: Personas) -> None:
    token = token_for("owner")
    assert len(token) == 64
    # Every sign-in gets its own token (each device or script revokes its own); both work.
    second = token_for("owner")
    assert second != token
    assert api(token).get("/api/v1/me/").status_code == 200
    assert api(second).get("/api/v1/me/").status_code == 200


def test_it_refuses_a_token_for_a_wrong_password(personas: Personas) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "owner", "password": "nope"}, format="json")
    assert response.status_code == 400


def test_it_requires_a_totp_code_for_admin_tokens(tree: Tree) -> None:
    user = make_user("sys", tree.province, roles.SYSTEM_ADMIN)
    device = TOTPDevice.objects.create(user=user, confirmed=True)
    response = APIClient().post("/api/v1/auth/token/", {"username": "sys", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert token_for("sys", otp=f"{totp(device.bin_key):06d}")


def test_it_describes_the_caller(personas: Personas) -> None:
    body = api(token_for("owner")).get("/api/v1/me/").json()
    assert body["username"] == "owner"
    assert body["org"] == "330100"
    assert body["kind"] == "staff"
    assert body["roles"] == [{"role": roles.BUREAU_ADMIN, "org": "330100"}]


def test_it_lists_orgs_in_scope_with_codes(personas: Personas) -> None:
    body = api(token_for("owner")).get("/api/v1/orgs/").json()
    rows = {row["code"]: row for row in body["results"]}
    assert set(rows) == {"330100", "330106", "330106U01"}
    assert rows["330106"] == {**rows["330106"], "name": "西湖区委老干部局", "kind": "county_bureau", "parent": "330100"}


def test_it_limits_the_list_to_a_subtree(personas: Personas) -> None:
    client = api(token_for("owner"))
    codes = [r["code"] for r in client.get("/api/v1/orgs/?under=330106").json()["results"]]
    assert codes == ["330106", "330106U01"]
    assert client.get("/api/v1/orgs/?under=330200").json()["results"] == []


def test_it_answers_404_outside_scope(personas: Personas) -> None:
    client = api(token_for("owner"))
    assert client.get("/api/v1/orgs/330106/").json()["code"] == "330106"
    assert client.get("/api/v1/orgs/330212/").status_code == 404
    assert client.get("/api/v1/orgs/999999/").status_code == 404


def test_it_rejects_anonymous_calls(db: None) -> None:
    assert APIClient().get("/api/v1/me/").status_code == 401
    assert APIClient().get("/api/v1/orgs/").status_code == 401


def test_it_serves_the_openapi_schema_to_signed_in_callers_only(personas: Personas) -> None:
    assert APIClient().get("/api/v1/schema/").status_code == 401
    assert APIClient().get("/api/v1/docs/").status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(personas.limited)
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/orgs/", "/api/v1/orgs/{code}/"} <= set(schema["paths"])
    assert client.get("/api/v1/docs/").status_code == 200


def test_it_audits_token_sign_ins(personas: Personas) -> None:
    from yinling.audit.models import AuditRecord

    token_for("owner")
    assert AuditRecord.objects.filter(action="login", actor_username="owner").exists()


def test_it_answers_a_locked_account_in_json(personas: Personas) -> None:
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "owner", "password": "wrong"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["error"] == "locked_out"

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from yinling.accounts import roles
from yinling.accounts.middleware import SESSION_LAST_SEEN
from yinling.audit.models import AuditRecord
from yinling.testing.personas import PASSWORD, Tree, make_user

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize("password", ["Short1!", "alllowercaseletters", "ALLUPPER12345", "1234567890123"])
def test_it_rejects_weak_passwords(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_it_accepts_a_strong_password() -> None:
    validate_password("Yinling@2020")


def test_it_locks_the_account_after_five_failures(client: Client, tree: Tree) -> None:
    make_user("clerk", tree.county_a, roles.CLERK)
    for _ in range(5):
        response = login(client, "clerk", "wrong-password")
    assert response.status_code in (403, 429)
    response = login(client, "clerk")
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="locked_out", object_repr="clerk").exists()


def test_it_does_not_lock_after_four_failures(client: Client, tree: Tree) -> None:
    make_user("clerk", tree.county_a, roles.CLERK)
    for _ in range(4):
        login(client, "clerk", "wrong-password")
    assert login(client, "clerk").status_code == 302


def test_it_lets_a_security_admin_unlock(client: Client, tree: Tree) -> None:
    from yinling.testing.permissions import login_client

    target = make_user("clerk", tree.county_a, roles.CLERK)
    for _ in range(5):
        login(client, "clerk", "wrong-password")
    sec = make_user("sec", tree.province, roles.SECURITY_ADMIN)
    response = login_client(sec).post(f"/accounts/users/{target.pk}/unlock/")
    assert response.status_code == 302
    assert login(Client(), "clerk").status_code == 302
    assert AuditRecord.objects.filter(action="security", extra__event="unlock").exists()


def test_it_forces_admins_through_totp_enrolment(client: Client, tree: Tree) -> None:
    user = make_user("admin", tree.province, roles.SYSTEM_ADMIN)
    assert login(client, "admin").status_code == 302
    response = client.get("/orgs/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    page = client.get("/accounts/two-factor/")
    assert page.context["enrolling"] is True
    assert b'class="qr' in page.content and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user)
    bad = client.post("/accounts/two-factor/", {"token": "000000"})
    assert bad.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    device.refresh_from_db()
    # A wrong code throttles the device for a second (django-otp's backoff); wait it out.
    with time_machine.travel(dt.timedelta(seconds=5)):
        code = f"{totp(device.bin_key):06d}"
        good = client.post("/accounts/two-factor/", {"token": code, "next": "/orgs/"})
        assert good.status_code == 302 and good["Location"] == "/orgs/"
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert client.get("/orgs/").status_code == 200


def test_it_asks_enrolled_admins_for_a_code_each_sign_in(client: Client, tree: Tree) -> None:
    user = make_user("audit", tree.province, roles.AUDIT_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, "audit")
    page = client.get("/accounts/two-factor/")
    assert page.context["enrolling"] is False and b'class="qr' not in page.content  # no QR code shown
    client.post("/accounts/two-factor/", {"token": f"{totp(device.bin_key):06d}"})
    assert client.get("/audit/").status_code == 200


def test_it_does_not_ask_clerks_for_a_second_factor(client: Client, tree: Tree) -> None:
    make_user("clerk", tree.county_a, roles.CLERK)
    login(client, "clerk")
    assert client.get("/orgs/").status_code == 200


@override_settings(STAFF_IDLE_TIMEOUT=60)
def test_it_signs_out_idle_staff(client: Client, tree: Tree) -> None:
    make_user("clerk", tree.county_a, roles.CLERK)
    login(client, "clerk")
    assert client.get("/orgs/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 61
    session.save()
    response = client.get("/orgs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_it_keeps_retirees_signed_in_past_the_staff_idle_time(client: Client, tree: Tree) -> None:
    make_user("elder", tree.county_a, kind="retiree")
    login(client, "elder")
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 90 * 60
    session.save()
    assert client.get("/").status_code == 200
    assert "_auth_user_id" in client.session


def test_it_keeps_elder_mode_on_the_account(client: Client, tree: Tree) -> None:
    user = make_user("clerk", tree.county_a, roles.CLERK)
    client.force_login(user)
    client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/"})
    user.refresh_from_db()
    assert user.elder_mode is True
    other = Client()
    other.force_login(user)
    assert b'class="elder"' in other.get("/").content


def test_it_refuses_open_redirects(client: Client, tree: Tree) -> None:
    response = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_audits_password_changes(client: Client, tree: Tree) -> None:
    user = make_user("clerk", tree.county_a, roles.CLERK)
    client.force_login(user)
    new = "N3w-Str0ng-Passw0rd"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert AuditRecord.objects.filter(action="security", extra__event="password_changed").exists()

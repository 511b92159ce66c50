"""Retiree accounts: opening (开通), activation codes, /api/v1/me/, acting on behalf (代办), retiree home."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from yinling.accounts.models import User
from yinling.audit.models import AuditRecord
from yinling.orgs.models import Org
from yinling.registry import accounts
from yinling.registry.choices import Status
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingshan@1949"
PHONE = "13800138000"


def make_person(org: Org, *, name: str = "张建国", phone: str = PHONE, i: int = 1) -> Retiree:
    retiree, _contacts = make_retiree(i, org, org.code[:6])
    retiree.name = name
    retiree.phone = phone
    retiree.status = Status.ACTIVE
    retiree.deceased_on = None
    retiree.save()
    return retiree


def open_account(client: Client, retiree: Retiree) -> tuple[Any, str]:
    """Post the record page's button; returns (response, the code shown on the sheet)."""
    response = client.post(f"/registry/{retiree.pk}/account/code/")
    assert response.status_code == 200, response.status_code
    match = re.search(r'id="activation-code">(\d{4}) (\d{4})<', response.content.decode())
    assert match, "the sheet shows the code"
    return response, match[1] + match[2]


def activate(client: Client, identifier: str, code: str, password: str = NEW_PASSWORD, again: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/activate/",
        {"identifier": identifier, "code": code, "password1": password, "password2": again or password},
    )


def audit_events(event: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="security", extra__event=event).order_by("id"))


@pytest.fixture
def person(personas: Personas) -> Retiree:
    return make_person(personas.tree.county_a)


@pytest.fixture
def staff(personas: Personas) -> Client:
    return login_client(personas.owner)


# --- Opening an account --------------------------------------------------------------------------


def test_it_opens_an_account_and_shows_the_code_once(staff: Client, person: Retiree) -> None:
    response, code = open_account(staff, person)
    person.refresh_from_db()
    user = person.account
    assert user is not None
    assert user.username == f"r{person.pk:06d}"
    assert (user.kind, user.org_id, user.full_name, user.elder_mode) == ("retiree", person.org_id, person.name, True)
    assert not user.has_usable_password()
    assert code not in user.password  # only a keyed hash is kept
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "/accounts/activate/" in page and "138****8000" in page
    assert 'class="elder"' in page
    opened, issued = audit_events("account_opened"), audit_events("activation_code_issued")
    assert len(opened) == 1 and len(issued) == 1
    assert opened[0].object_id == str(person.pk) and opened[0].actor_username == "owner"
    assert not AuditRecord.objects.filter(extra__icontains=code).exists()
    assert not any(code in str(r.extra) + str(r.changes) + r.object_repr for r in AuditRecord.objects.all())


def test_it_shows_the_account_box_to_staff_who_may_open(staff: Client, personas: Personas, person: Retiree) -> None:
    page = staff.get(person.get_absolute_url()).content.decode()
    assert 'id="account-box"' in page
    assert f"/registry/{person.pk}/account/code/" in page
    assert f"/registry/{person.pk}/act/" in page
    leader_page = login_client(personas.limited).get(person.get_absolute_url()).content.decode()
    assert 'id="account-box"' in leader_page
    assert "/account/code/" not in leader_page and f"/registry/{person.pk}/act/" not in leader_page


def test_it_refuses_to_open_without_the_permission_or_outside_scope(personas: Personas, person: Retiree) -> None:
    url = f"/registry/{person.pk}/account/code/"
    assert login_client(personas.limited).post(url).status_code == 403
    assert login_client(personas.outsider).post(url).status_code == 404
    assert login_client(personas.norole).post(url).status_code == 404
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert login_client(personas.owner).get(url).status_code == 405
    person.refresh_from_db()
    assert person.account_id is None


def test_it_refuses_to_open_an_account_for_the_deceased(staff: Client, person: Retiree) -> None:
    Retiree.objects.filter(pk=person.pk).update(status=Status.DECEASED)
    response = staff.post(f"/registry/{person.pk}/account/code/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.account_id is None


def test_it_keeps_the_account_when_issuing_again_and_invalidates_the_old_code(staff: Client, person: Retiree) -> None:
    first_response, first = open_account(staff, person)
    second_response, second = open_account(staff, person)
    assert first_response.context["opened"] is True and second_response.context["opened"] is False
    assert User.objects.filter(kind="retiree").count() == 1
    assert len(audit_events("account_opened")) == 1 and len(audit_events("activation_code_issued")) == 2
    if first != second:  # (one chance in 10⁸ that they are the same)
        assert activate(Client(), PHONE, first).status_code == 200  # refused: the form again
    assert activate(Client(), PHONE, second).status_code == 302


# --- Activation ----------------------------------------------------------------------------------


def test_it_activates_with_phone_and_code_and_signs_in(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    client = Client()
    page = client.get("/accounts/activate/")
    assert page.status_code == 200 and 'class="elder"' in page.content.decode()
    response = activate(client, "138 0013 8000", f"{code[:4]} {code[4:]}")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(kind="retiree")
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get("/").content.decode()
    assert 'id="my-record"' in home
    assert len(audit_events("account_activated")) == 1
    assert audit_events("account_activated")[0].actor_username == user.username


def test_it_uses_a_code_only_once(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    assert activate(Client(), PHONE, code).status_code == 302
    again = activate(Client(), PHONE, code, password="Another@Pass2024")
    assert again.status_code == 200
    assert User.objects.get(kind="retiree").check_password(NEW_PASSWORD)


def test_it_refuses_an_expired_code_and_says_so(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    with time_machine.travel(dt.timedelta(days=7, seconds=1)):
        response = activate(Client(), PHONE, code)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    with time_machine.travel(dt.timedelta(days=6, hours=23)):
        assert activate(Client(), PHONE, code).status_code == 302


def test_it_refuses_a_wrong_phone_or_code_with_one_message(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    wrong_code = f"{(int(code) + 1) % 10**8:08d}"
    by_phone = activate(Client(), "13900139000", code)
    by_code = activate(Client(), PHONE, wrong_code)
    assert by_phone.status_code == by_code.status_code == 200
    assert by_phone.context["form"].non_field_errors() == by_code.context["form"].non_field_errors()
    assert not User.objects.get(kind="retiree").has_usable_password()
    assert accounts.pending_code(User.objects.get(kind="retiree")).tries == 1  # type: ignore[union-attr]


def test_it_applies_the_password_rules_without_using_up_the_code(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    weak = activate(Client(), PHONE, code, password="12345678")
    assert weak.status_code == 200 and weak.context["form"].errors["password1"]
    differ = activate(Client(), PHONE, code, again="Qingshan@1950")
    assert differ.status_code == 200 and differ.context["form"].errors["password2"]
    assert accounts.pending_code(User.objects.get(kind="retiree")).tries == 0  # type: ignore[union-attr]
    assert activate(Client(), PHONE, code).status_code == 302


def test_it_invalidates_the_code_after_five_wrong_tries(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(accounts.CODE_MAX_TRIES):
        assert activate(Client(), PHONE, wrong).status_code == 200
    user = User.objects.get(kind="retiree")
    assert accounts.pending_code(user) is None and not user.has_usable_password()
    assert activate(Client(), PHONE, code).status_code == 200  # the right code no longer works
    assert len(audit_events("activation_code_wrong")) == 4
    assert len(audit_events("activation_code_invalidated")) == 1
    _, fresh = open_account(staff, person)  # staff issue a new one
    assert activate(Client(), PHONE, fresh).status_code == 302


def test_it_activates_by_username_when_no_phone_is_on_record(staff: Client, person: Retiree) -> None:
    Retiree.objects.filter(pk=person.pk).update(phone="", phone_hash="", phone_masked="", phone_last4="")
    response, code = open_account(staff, person)
    username = f"r{person.pk:06d}"
    assert username in response.content.decode()
    assert activate(Client(), username, code).status_code == 302


def test_it_does_not_activate_a_switched_off_account(staff: Client, person: Retiree) -> None:
    _, code = open_account(staff, person)
    User.objects.filter(kind="retiree").update(is_active=False)
    assert activate(Client(), PHONE, code).status_code == 200


# --- /api/v1/me/ ---------------------------------------------------------------------------------


def test_it_describes_a_retiree_and_a_staff_member_in_the_api(staff: Client, personas: Personas) -> None:
    person = make_person(personas.tree.unit_a)
    _, code = open_account(staff, person)
    activate(Client(), PHONE, code)
    token = APIClient().post("/api/v1/auth/token/", {"username": PHONE, "password": NEW_PASSWORD}, format="json")
    assert token.status_code == 200, token.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    body = client.get("/api/v1/me/").json()
    assert body["retiree"] == person.pk
    assert body["org"] == "330106U01"
    assert body["kind"] == "retiree" and body["roles"] == [] and body["elder_mode"] is True
    staff_api = APIClient()
    staff_api.force_authenticate(personas.owner)
    me = staff_api.get("/api/v1/me/").json()
    assert me["retiree"] is None and me["org"] == "330100" and me["username"] == "owner"


# --- Acting on behalf (代办) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "lands"),
    [
        ("/cases/", "/cases/"),  # another module's page for the person (care's "open a service case")
        ("https://evil.example/", None),  # another site: the record instead
        ("//evil.example/x", None),
        ("", None),
    ],
)
def test_it_starts_acting_and_goes_on_to_a_page_of_this_site_only(
    staff: Client, person: Retiree, sent: str, lands: str | None
) -> None:
    response = staff.post(f"/registry/{person.pk}/act/", {"next": sent})
    assert response.status_code == 302
    assert response["Location"] == (lands or person.get_absolute_url())
    assert len(audit_events("acting_started")) == 1


def test_it_records_acting_on_behalf_in_the_audit_trail(staff: Client, person: Retiree) -> None:
    label = f"retiree:{person.pk} {person.name}"
    assert staff.post(f"/registry/{person.pk}/act/").status_code == 302
    started = audit_events("acting_started")
    assert len(started) == 1 and started[0].on_behalf_of == label and started[0].actor_username == "owner"

    page = staff.get("/accounts/me/").content.decode()
    assert 'id="acting-banner"' in page and person.name in page

    # Any audited action while acting carries on_behalf_of: here, revealing the full ID number.
    assert staff.get(f"/registry/{person.pk}/?reveal=1").status_code == 200
    reveal = AuditRecord.objects.filter(action="view_sensitive").latest("id")
    assert reveal.on_behalf_of == label and reveal.actor_username == "owner"

    assert staff.post("/registry/act/stop/").status_code == 302
    stopped = audit_events("acting_stopped")
    assert len(stopped) == 1 and stopped[0].on_behalf_of == label
    assert 'id="acting-banner"' not in staff.get("/accounts/me/").content.decode()
    staff.get(f"/registry/{person.pk}/?reveal=1")
    assert AuditRecord.objects.filter(action="view_sensitive").latest("id").on_behalf_of == ""


def test_it_shows_acting_in_english_too(staff: Client, person: Retiree) -> None:
    staff.cookies["django_language"] = "en"
    staff.post(f"/registry/{person.pk}/act/")
    assert f"Acting for {person.name}" in staff.get("/").content.decode()


def test_it_does_not_widen_permissions_while_acting(personas: Personas, person: Retiree) -> None:
    other = make_person(personas.tree.county_b, name="李秀英", phone="13900139000", i=2)
    client = login_client(personas.owner)
    client.post(f"/registry/{person.pk}/act/")
    assert client.get(f"/registry/{other.pk}/").status_code == 404
    assert client.post(f"/registry/{other.pk}/act/").status_code == 404


def test_it_refuses_acting_without_the_permission(personas: Personas, person: Retiree) -> None:
    assert login_client(personas.limited).post(f"/registry/{person.pk}/act/").status_code == 403
    assert login_client(personas.outsider).post(f"/registry/{person.pk}/act/").status_code == 404
    assert not audit_events("acting_started")


def test_it_stops_acting_for_one_person_when_starting_for_another(staff: Client, personas: Personas) -> None:
    first = make_person(personas.tree.county_a, i=1)
    second = make_person(personas.tree.county_a, name="王秀兰", phone="13700137000", i=2)
    staff.post(f"/registry/{first.pk}/act/")
    staff.post(f"/registry/{second.pk}/act/")
    assert [r.object_id for r in audit_events("acting_stopped")] == [str(first.pk)]
    assert staff.session[accounts.ACTING_SESSION_KEY]["id"] == second.pk


# --- The retiree's own pages ---------------------------------------------------------------------


@pytest.fixture
def retiree_client(staff: Client, person: Retiree) -> Client:
    _, code = open_account(staff, person)
    client = Client()
    assert activate(client, PHONE, code).status_code == 302
    return client


def test_it_shows_a_retiree_their_own_home(retiree_client: Client, person: Retiree) -> None:
    page = retiree_client.get("/").content.decode()
    assert person.name in page and person.org.name in page
    assert "138****8000" in page and PHONE not in page
    assert 'href="/accounts/me/"' in page and 'href="/accounts/password/"' in page
    assert '<body class="elder"' in page
    assert 'href="/registry/"' not in page and 'href="/audit/"' not in page and 'href="/orgs/"' not in page


@pytest.mark.parametrize(
    "url", ["/registry/", "/registry/add/", "/registry/moves/", "/accounts/users/", "/audit/", "/orgs/"]
)
def test_it_refuses_staff_pages_to_a_retiree(retiree_client: Client, url: str) -> None:
    assert retiree_client.get(url).status_code == 403


def test_it_hides_even_their_own_staff_record_page_from_a_retiree(retiree_client: Client, person: Retiree) -> None:
    assert retiree_client.get(f"/registry/{person.pk}/").status_code == 404
    assert retiree_client.post(f"/registry/{person.pk}/act/").status_code == 404
    assert retiree_client.post(f"/registry/{person.pk}/account/code/").status_code == 404


def test_it_lets_a_retiree_use_the_profile_and_password_pages(retiree_client: Client) -> None:
    assert retiree_client.get("/accounts/me/").status_code == 200
    response = retiree_client.post(
        "/accounts/password/",
        {"old_password": NEW_PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(kind="retiree").check_password(PASSWORD)

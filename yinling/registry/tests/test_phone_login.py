"""Retirees sign in with the phone number of their registry record (yinling.registry.backends.PhoneBackend)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.hashers import make_password
from django.test import Client

from yinling.accounts import roles
from yinling.accounts.models import User
from yinling.audit.models import AuditRecord
from yinling.core.demo import DEMO_PASSWORD
from yinling.registry.accounts import phone_variants
from yinling.registry.demo import open_demo_accounts
from yinling.registry.models import Retiree
from yinling.registry.tests.test_accounts import make_person
from yinling.testing.permissions import login_client
from yinling.testing.personas import PASSWORD, Tree, make_user

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def with_account(retiree: Retiree, username: str = "", password: str = PASSWORD) -> User:
    user = User.objects.create(
        username=username or f"r{retiree.pk:06d}",
        password=make_password(password),
        kind=User.Kind.RETIREE,
        full_name=retiree.name,
        org=retiree.org,
    )
    Retiree.objects.filter(pk=retiree.pk).update(account=user)
    return user


def login(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def account(tree: Tree) -> User:
    return with_account(make_person(tree.county_a, phone=PHONE))


@pytest.mark.parametrize(
    "typed", [PHONE, "138 0013 8000", "+86 138 0013 8000", "+8613800138000", "138-0013-8000", "１３８００１３８０００"]
)
def test_it_signs_a_retiree_in_with_the_phone_number(account: User, typed: str) -> None:
    client = Client()
    response = login(client, typed)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == str(account.pk)


def test_it_signs_a_retiree_in_with_the_username_too(account: User) -> None:
    client = Client()
    assert login(client, account.username).status_code == 302
    assert signed_in_as(client) == str(account.pk)


def test_it_refuses_a_wrong_password_for_a_phone_number(account: User) -> None:
    client = Client()
    assert login(client, PHONE, "Wrong-Passw0rd!").status_code == 200
    assert signed_in_as(client) is None


def test_it_refuses_a_phone_number_not_in_the_registry(account: User) -> None:
    assert signed_in_as(c := Client()) is None and login(c, "13900139000").status_code == 200


def test_it_refuses_deleted_records_and_switched_off_accounts(account: User) -> None:
    Retiree.objects.filter(account=account).update(is_deleted=True)
    assert login(Client(), PHONE).status_code == 200
    Retiree.objects.filter(account=account).update(is_deleted=False)
    User.objects.filter(pk=account.pk).update(is_active=False)
    assert login(Client(), PHONE).status_code == 200


def test_it_does_not_sign_staff_in_by_a_phone_number(tree: Tree) -> None:
    person = make_person(tree.county_a, phone=PHONE)
    staff = make_user("clerk", tree.county_a, roles.CLERK)
    Retiree.objects.filter(pk=person.pk).update(account=staff)  # a wrong link never makes a staff phone sign-in
    assert login(Client(), PHONE).status_code == 200


def test_it_lets_the_password_decide_when_two_accounts_share_a_landline(tree: Tree) -> None:
    husband = with_account(make_person(tree.county_a, name="张建国", phone="0571-88886666", i=1))
    wife = with_account(make_person(tree.county_a, name="李秀英", phone="057188886666", i=2), password="Wife@Pass2020")
    first, second = Client(), Client()
    assert login(first, "0571 8888 6666").status_code == 302
    assert login(second, "057188886666", "Wife@Pass2020").status_code == 302
    assert (signed_in_as(first), signed_in_as(second)) == (str(husband.pk), str(wife.pk))


def test_it_knows_which_forms_a_phone_number_may_be_stored_in() -> None:
    assert phone_variants("0086 138 0013 8000") == [PHONE]
    assert phone_variants("8613800138000") == [PHONE]
    assert set(phone_variants("0571-88886666")) == {"0571-88886666", "057188886666", "057-188886666"}
    assert phone_variants("r000042") == [] and phone_variants("owner") == [] and phone_variants("12345") == []


def test_it_locks_the_account_whatever_form_the_phone_was_typed_in(account: User) -> None:
    typed = [PHONE, "138 0013 8000", "+86 13800138000", "138-0013-8000", "+8613800138000"]
    for form in typed:
        login(Client(), form, "Wrong-Passw0rd!")
    # Five failures in five spellings count as five against the one account…
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {account.username}
    assert login(Client(), PHONE).status_code in (403, 429)
    # …which is then locked by its username too, and no plain phone number is stored.
    assert login(Client(), account.username).status_code in (403, 429)
    assert not AccessAttempt.objects.filter(username__contains="138").exists()
    assert not AccessFailureLog.objects.filter(username__contains="138").exists()
    assert AuditRecord.objects.filter(action="locked_out", object_repr=account.username).exists()


def test_it_lets_staff_unlock_a_retiree_locked_by_phone(account: User, tree: Tree) -> None:
    for _ in range(5):
        login(Client(), PHONE, "Wrong-Passw0rd!")
    assert login(Client(), PHONE).status_code in (403, 429)
    security = make_user("sec", tree.province, roles.SECURITY_ADMIN)
    assert login_client(security).post(f"/accounts/users/{account.pk}/unlock/").status_code == 302
    assert login(Client(), PHONE).status_code == 302


def test_it_counts_unknown_phone_numbers_without_storing_them(account: User) -> None:
    for _ in range(5):
        login(Client(), "139 0013 9000", "Wrong-Passw0rd!")
    usernames = set(AccessAttempt.objects.values_list("username", flat=True))
    assert len(usernames) == 1 and usernames.pop().startswith("phone:")
    assert login(Client(), "13900139000").status_code in (403, 429)
    assert login(Client(), PHONE).status_code == 302  # a different account is not affected


def test_it_still_locks_staff_by_username(tree: Tree) -> None:
    make_user("clerk", tree.county_a, roles.CLERK)
    for _ in range(5):
        login(Client(), "clerk", "Wrong-Passw0rd!")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"clerk"}
    assert login(Client(), "clerk").status_code in (403, 429)


def test_it_lets_demo_accounts_sign_in_with_their_phone_numbers(tree: Tree) -> None:
    people = [make_person(org, phone=f"1370000000{i}", i=i) for i, org in enumerate([tree.county_a, tree.unit_a], 1)]
    open_demo_accounts(2, lambda _line: None)
    for index, person in enumerate(sorted(people, key=lambda p: p.pk), 1):
        person.refresh_from_db()
        assert person.account is not None and person.account.username == f"r{index:05d}"
        client = Client()
        assert login(client, person.phone, DEMO_PASSWORD).status_code == 302
        assert signed_in_as(client) == str(person.account_id)
        assert login(Client(), f"r{index:05d}", DEMO_PASSWORD).status_code == 302


def test_it_gives_api_tokens_for_a_phone_number(account: User) -> None:
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/auth/token/", {"username": "+86 138 0013 8000", "password": PASSWORD})
    assert response.status_code == 200, response.content


def test_it_keeps_a_username_that_looks_like_a_phone_number_for_its_owner(tree: Tree) -> None:
    with_account(make_person(tree.county_a, phone=PHONE))
    staff = make_user(PHONE, tree.county_a, roles.CLERK)
    client = Client()
    assert login(client, PHONE).status_code == 302
    assert signed_in_as(client) == str(staff.pk)


def test_it_keeps_phone_numbers_out_of_failed_sign_in_records(account: User) -> None:
    login(Client(), "138 0013 8000", "Wrong-Passw0rd!")
    failed = AuditRecord.objects.get(action="login_failed")
    # The account's own username may happen to hold those digits (r001340, from a counter): leave it out.
    assert "0013" not in (failed.actor_username + failed.object_repr).replace(account.username, "")
    assert failed.object_id == str(account.pk)

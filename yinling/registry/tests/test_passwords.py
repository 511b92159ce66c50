"""Passwords: never the sign-in name, the phone or the ID number; no symbol rules for retirees (a passphrase
does); a retiree who forgot theirs gets a new activation code from staff (audited) and chooses a new one."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from yinling.audit.models import AuditRecord
from yinling.registry import accounts
from yinling.testing.permissions import login_client
from yinling.testing.personas import PASSWORD, Cast, make_user

pytestmark = pytest.mark.django_db


def signs_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def refused(password: str, user: object) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return True
    return False


def test_it_refuses_a_password_containing_the_username(cast: Cast) -> None:
    assert refused("Clerk#2024xyz", cast.clerk)
    assert refused("my-CLERK-pass-9", cast.clerk)
    assert not refused("Qingshan@1949x", cast.clerk)


def test_it_refuses_a_password_containing_the_phone_number(cast: Cast) -> None:
    phone = cast.retiree_record.phone
    assert refused(f"Phone{phone}!", cast.retiree)
    assert refused(f"Tel-{phone[3:]}-home", cast.retiree)  # the last eight digits
    assert refused(f"{phone[:3]} {phone[3:7]} {phone[7:]} ok", cast.retiree)  # typed with spaces


def test_it_refuses_a_password_containing_id_number_digits(cast: Cast) -> None:
    number = cast.retiree_record.id_number
    assert refused(f"Born{number[6:14]}!x", cast.retiree)  # the birth date inside the number
    assert refused(f"{number[-6:].lower()}qingshan", cast.retiree)  # the last six, X in either case
    assert not refused("qingshan lvshui 1949", cast.retiree)


def test_it_asks_retirees_for_no_symbols_or_capitals_but_staff_for_three_classes(cast: Cast) -> None:
    passphrase = "west lake spring walk"
    assert not refused(passphrase, cast.retiree)
    assert refused(passphrase, cast.clerk)
    assert refused("short one", cast.retiree)  # the length rule holds for everyone


def test_it_hints_at_a_passphrase_on_the_activation_page(db: None) -> None:
    page = Client().get("/accounts/activate/").content.decode()
    assert "lake" in page or "西湖" in page


def test_it_refuses_the_phone_as_the_new_password_at_activation(cast: Cast) -> None:
    _user, code, _opened = accounts.issue_activation_code(by=cast.bureau_admin, retiree=cast.retiree_record)
    phone = cast.retiree_record.phone
    with pytest.raises(ValidationError):
        accounts.activate(identifier=phone, code=code, password=f"mima{phone}")


def test_it_lets_staff_reset_a_forgotten_password_through_a_new_code(cast: Cast) -> None:
    # The supervised reset: the retiree asks the bureau, staff issue a new code (audited as a reset), the old
    # password stops working at once, and the retiree chooses a new one with the code.
    assert signs_in(cast.retiree.username, PASSWORD)
    response = login_client(cast.bureau_admin).post(f"/registry/{cast.retiree_record.pk}/account/code/")
    assert response.status_code == 200
    code = response.context["code"]
    assert not signs_in(cast.retiree.username, PASSWORD)
    issued = AuditRecord.objects.get(action="security", extra__event="activation_code_issued")
    assert issued.extra["reset"] is True and issued.actor_username == cast.bureau_admin.username
    accounts.activate(identifier=cast.retiree_record.phone, code=code, password="qingshan lvshui changliu")
    assert signs_in(cast.retiree_record.phone, "qingshan lvshui changliu")


def test_it_marks_a_first_code_as_no_reset(cast: Cast) -> None:
    from yinling.testing.personas import make_retiree_record

    record = make_retiree_record(cast.tree.county_a, "李明", "13700137000", 7)
    accounts.issue_activation_code(by=cast.bureau_admin, retiree=record)
    issued = AuditRecord.objects.get(action="security", extra__event="activation_code_issued")
    assert issued.extra["reset"] is False


def test_it_clears_the_lockout_when_a_retiree_sets_a_new_password(cast: Cast) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": cast.retiree.username, "password": "wrong-password"})
    assert AccessAttempt.objects.filter(username=cast.retiree.username).exists()
    _user, code, _opened = accounts.issue_activation_code(by=cast.bureau_admin, retiree=cast.retiree_record)
    accounts.activate(identifier=cast.retiree.username, code=code, password="qingshan lvshui changliu")
    assert signs_in(cast.retiree.username, "qingshan lvshui changliu")


def test_it_lets_staff_create_staff_with_no_personal_data_check_failing(cast: Cast) -> None:
    # Staff accounts have no registry record: the phone and ID checks find nothing to compare and pass.
    staff = make_user("newstaff", cast.tree.county_a)
    assert not refused("Qingshan@1949x", staff)

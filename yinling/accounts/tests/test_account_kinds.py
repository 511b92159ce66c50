"""Staff and retiree accounts stay apart: retirees hold no staff role, staff accounts never go through the
retiree activation code, and retiree sessions end after their own (longer) idle time."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from yinling.accounts import roles, services
from yinling.accounts.middleware import SESSION_LAST_SEEN
from yinling.accounts.models import RoleAssignment, User
from yinling.registry import accounts as retiree_accounts
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_it_refuses_a_staff_role_to_a_retiree_account_in_the_service(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.do_assign_role(by=cast.bureau_admin, user=cast.retiree, role=roles.CLERK, org=cast.tree.unit_a)
    assert not RoleAssignment.objects.filter(user=cast.retiree).exists()


def test_it_refuses_a_staff_role_to_a_retiree_account_on_the_page(cast: Cast) -> None:
    client = login_client(cast.bureau_admin)
    client.post(f"/accounts/users/{cast.retiree.pk}/assign/", {"role": roles.LEADER, "org": cast.tree.unit_a.code})
    assert not RoleAssignment.objects.filter(user=cast.retiree).exists()


def test_it_offers_no_staff_role_on_a_retiree_accounts_page(cast: Cast) -> None:
    page = login_client(cast.bureau_admin).get(f"/accounts/users/{cast.retiree.pk}/")
    form = page.context["assign_form"]
    assert form is None or not [code for code, _label in form.fields["role"].choices if code]


def test_it_refuses_a_staff_role_to_a_retiree_account_in_the_bootstrap_command(cast: Cast) -> None:
    with pytest.raises(CommandError):
        call_command("grant_role", cast.retiree.username, roles.CLERK, cast.tree.unit_a.code)
    assert not RoleAssignment.objects.filter(user=cast.retiree).exists()


def test_it_never_puts_an_activation_code_on_a_staff_account(cast: Cast) -> None:
    # A registry record wrongly linked to a staff account (a data fix, an old import) must not let whoever
    # may open retiree accounts replace a staff password with a code.
    Retiree.objects.filter(pk=cast.family_record.pk).update(account=cast.clerk)
    record = Retiree.objects.unrestricted().get(pk=cast.family_record.pk)
    with pytest.raises(ValidationError):
        retiree_accounts.issue_activation_code(by=cast.bureau_admin, retiree=record)
    cast.clerk.refresh_from_db()
    assert cast.clerk.check_password(PASSWORD)
    assert retiree_accounts.pending_code(cast.clerk) is None


def test_it_never_activates_a_staff_account_with_a_code(cast: Cast) -> None:
    # Even with a code hash on it (written before this rule), a staff account is not set up through activation.
    code = retiree_accounts.new_code()
    expires = timezone.now() + retiree_accounts.CODE_VALID_FOR
    encoded = retiree_accounts._encode(expires, 0, retiree_accounts._digest(cast.clerk.pk, code))
    User.objects.filter(pk=cast.clerk.pk).update(password=encoded)
    Retiree.objects.filter(pk=cast.family_record.pk).update(account=cast.clerk)
    for identifier in (cast.clerk.username, cast.family_record.phone):
        with pytest.raises(retiree_accounts.ActivationError):
            retiree_accounts.activate(identifier=identifier, code=code, password="Another-Passw0rd!")
    cast.clerk.refresh_from_db()
    assert not cast.clerk.has_usable_password()


def _idle(client: Client, seconds: int) -> None:
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - seconds
    session.save()


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@override_settings(STAFF_IDLE_TIMEOUT=60, RETIREE_IDLE_TIMEOUT=600)
def test_it_keeps_a_retiree_signed_in_longer_than_staff(cast: Cast) -> None:
    client = _signed_in(cast.retiree.username)
    _idle(client, 300)
    assert client.get("/accounts/me/").status_code == 200
    assert "_auth_user_id" in client.session


@override_settings(STAFF_IDLE_TIMEOUT=60, RETIREE_IDLE_TIMEOUT=600)
def test_it_signs_out_an_idle_retiree_after_the_retiree_timeout(cast: Cast) -> None:
    client = _signed_in(cast.retiree.username)
    _idle(client, 601)
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_it_grants_nothing_through_a_staff_role_a_retiree_account_already_holds(cast: Cast) -> None:
    # Rows written before the rule (or by hand in the database) must not keep working.
    RoleAssignment.objects.create(user=cast.retiree, role=roles.LEADER, org=cast.tree.city_a)
    client = login_client(cast.retiree)
    assert client.get("/orgs/").status_code == 403
    assert client.get("/registry/").status_code == 403

"""Every write of an account leaves its record: bulk moves, edits, elder mode (a preference, not audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from yinling.accounts import roles, services
from yinling.accounts.models import User
from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_user

pytestmark = pytest.mark.django_db


def test_it_moves_accounts_in_bulk_with_one_record_each(cast: Cast) -> None:
    t = cast.tree
    a, b = make_user("a", t.county_a), make_user("b", t.county_a)
    stays = make_user("c", t.city_b)
    moved = services.move_accounts(moves=[(a.pk, t.city_b.pk), (b.pk, t.city_b.pk), (stays.pk, t.city_b.pk)])
    assert moved == 2
    assert set(User.objects.unrestricted().filter(org=t.city_b).values_list("username", flat=True)) >= {"a", "b"}
    records = AuditRecord.objects.unrestricted().filter(object_type="accounts.user", extra__event="moved")
    assert {r.object_id for r in records} == {str(a.pk), str(b.pk)}
    assert all(r.changes == {"org_id": [t.county_a.pk, t.city_b.pk]} and r.org_path == t.city_b.path for r in records)


def test_it_refuses_to_move_an_account_to_an_org_outside_the_editors_scope(cast: Cast) -> None:
    clerk = make_user("someclerk", cast.tree.county_a, roles.CLERK)
    with pytest.raises(PermissionDenied):
        services.do_update_staff_user(by=cast.bureau_admin, user=clerk, full_name="x", email="", org=cast.tree.county_b)
    clerk.refresh_from_db()
    assert clerk.org == cast.tree.county_a


def test_it_records_an_edit_made_on_the_page_once(cast: Cast) -> None:
    clerk = make_user("someclerk", cast.tree.county_a, roles.CLERK)
    client = login_client(cast.bureau_admin)
    response = client.post(
        f"/accounts/users/{clerk.pk}/edit/", {"full_name": "新名字", "email": "", "org": cast.tree.unit_a.pk}
    )
    assert response.status_code == 302
    updates = AuditRecord.objects.unrestricted().filter(
        action="update", object_type="accounts.user", object_id=str(clerk.pk)
    )
    assert updates.count() == 1
    assert updates.get().changes == {
        "full_name": ["someclerk", "新名字"],
        "org_id": [cast.tree.county_a.pk, cast.tree.unit_a.pk],
    }


def test_it_keeps_elder_mode_with_the_account(cast: Cast) -> None:
    client = login_client(cast.retiree)
    assert client.post("/accounts/elder-mode/", {"enabled": "1"}).status_code == 302
    cast.retiree.refresh_from_db()
    assert cast.retiree.elder_mode

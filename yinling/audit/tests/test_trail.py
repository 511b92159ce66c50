from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from yinling.audit.context import acting
from yinling.audit.models import AuditRecord
from yinling.audit.services import PurgeRefused, purge_before, record, seal_pending, verify_chain
from yinling.orgs.models import Org
from yinling.testing.personas import Tree, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_records_create_update_delete_field_by_field(tree: Tree) -> None:
    actor = make_user("clerk", tree.county_a)
    with acting(user=actor, ip="10.1.2.3", request_id="r1"):
        org = Org.objects.create(code="330106S05", name="驿站", kind=Org.Kind.STATION, parent=tree.county_a)
        org.name = "新驿站"
        org.save()
        pk = org.pk
        org.delete()
    recs = list(AuditRecord.objects.filter(object_type="orgs.org", object_id=str(pk)).order_by("id"))
    assert [r.action for r in recs] == ["create", "update", "delete"]
    assert recs[1].changes == {"name": ["驿站", "新驿站"]}
    assert all(r.request_id == "r1" and r.actor_username == "clerk" and r.ip == "10.1.2.3" for r in recs)
    assert recs[0].org_path == "330000/330100/330106/330106S05/"


def test_it_masks_sensitive_fields() -> None:
    from yinling.audit.registry import _registered, diff
    from yinling.orgs.models import Org as Model

    saved = _registered[Model]
    _registered[Model] = {**saved, "sensitive": ("name",)}
    try:
        assert diff(Model, {"name": "张三"}, {"name": "李四"}) == {"name": ["******", "******"]}
    finally:
        _registered[Model] = saved


def test_it_never_records_password_hashes(tree: Tree) -> None:
    user = make_user("someone", tree.county_a)
    user.set_password("An0ther-Passw0rd!")
    user.save()
    assert not AuditRecord.objects.filter(changes__has_key="password").exists()


def test_it_seals_records_into_a_verifiable_chain(tree: Tree) -> None:
    seal_pending()
    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked == AuditRecord.objects.count() > 0
    assert not AuditRecord.objects.filter(seq__isnull=True).exists()


def _tamper(sql: str, params: list) -> None:
    """Edit the table behind the triggers' back, as someone with database access could."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute("DROP TRIGGER audit_no_delete")
            cur.execute(sql, params)
        else:
            cur.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
            cur.execute(sql, params)
            cur.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER USER")


def test_it_detects_a_changed_record(tree: Tree) -> None:
    seal_pending()
    victim = AuditRecord.objects.order_by("seq")[2]
    _tamper("UPDATE audit_auditrecord SET actor_username = %s WHERE id = %s", ["mallory", victim.id])
    result = verify_chain()
    assert not result.ok
    assert any(f"seq {victim.seq}" in p and "changed" in p for p in result.problems)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit")


def test_it_detects_a_removed_record(tree: Tree) -> None:
    seal_pending()
    victim = AuditRecord.objects.order_by("seq")[1]
    _tamper("DELETE FROM audit_auditrecord WHERE id = %s", [victim.id])
    result = verify_chain()
    assert any("missing" in p for p in result.problems)


def test_it_refuses_updates_and_deletes_in_the_database(tree: Tree) -> None:
    seal_pending()
    rec = AuditRecord.objects.order_by("seq").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).update(actor_username="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).delete()
    assert verify_chain().ok


def test_it_purges_only_records_older_than_the_floor(tree: Tree) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        record("security", object_type="test", object_repr="old")
    seal_pending()
    with pytest.raises(PurgeRefused):
        purge_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    with pytest.raises(CommandError, match="refused"):
        call_command("purge_audit", before=(dt.date.today() - dt.timedelta(days=10)).isoformat())
    # Only a prefix of the chain may go: this old record was sealed after today's records, so it stays.
    assert purge_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), by="auditor") == 0
    assert AuditRecord.objects.filter(object_repr="old").exists()
    assert verify_chain().ok


def test_it_purges_a_prefix_and_still_verifies(db: None) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        for n in range(3):
            record("security", object_type="test", object_repr=f"old {n}")
        seal_pending()
    record("security", object_type="test", object_repr="new")
    seal_pending()
    call_command("anchor_audit")
    assert purge_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), by="auditor") == 3
    assert list(AuditRecord.objects.exclude(action="purge").values_list("object_repr", flat=True)) == ["new"]
    assert AuditRecord.objects.filter(action="purge").count() == 1
    result = verify_chain()
    assert result.ok, result.problems
    call_command("verify_audit")


def test_it_records_sign_ins_and_failures(client, tree: Tree) -> None:
    from yinling.testing.personas import PASSWORD

    make_user("clerk", tree.county_a)
    client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    actions = list(AuditRecord.objects.filter(actor_username="clerk").values_list("action", flat=True))
    assert "login_failed" in actions and "login" in actions
    failed = AuditRecord.objects.get(action="login_failed")
    assert failed.ip == "127.0.0.1"
    assert failed.org_path == tree.county_a.path


def test_it_groups_one_requests_changes(client, tree: Tree) -> None:
    from yinling.accounts import roles

    admin = make_user("sysadmin", tree.city_a, roles.BUREAU_ADMIN)
    client.force_login(admin)
    response = client.post(
        "/orgs/add/",
        {
            "code": "330106S07",
            "name": "新站",
            "kind": "station",
            "parent": tree.county_a.pk,
            "division": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rec = AuditRecord.objects.get(action="create", object_type="orgs.org", object_repr="新站")
    assert rec.actor_username == "sysadmin"
    assert response["X-Request-ID"] == rec.request_id

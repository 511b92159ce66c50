"""The record's lifecycle: death, moves, soft deletion, conflicting edits, duplicates, audited reveals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.audit.views import audit_scope
from yinling.registry import idcard, services
from yinling.registry.demo import make_retiree
from yinling.registry.libraries import members
from yinling.registry.models import Retiree, Transfer
from yinling.testing.permissions import login_client as signed_in
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db
# Frozen (time_machine, below): ages and "not in the future" depend on the local date, which must not
# move between the module's import and its tests, nor differ from UTC's at the test's instant.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def login_client(user: Any) -> Client:
    """A signed-in client that chose English, so pages answer in the source messages these tests read."""
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English source messages; test_translations checks the Chinese catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def person(personas: Personas) -> Retiree:
    r, contacts = make_retiree(3, personas.tree.unit_a, "330106")
    r.status, r.deceased_on, r.name = "active", None, "周建华"
    r.phone, r.address, r.health_notes = "13912345678", "杭州市西湖区保俶路9号", "糖尿病"
    r.save()
    for c in contacts:
        c.retiree = r
        c.save()
    return r


@pytest.fixture
def clerk(personas: Personas) -> Any:
    return make_user("clerk", personas.tree.county_a, roles.CLERK)


@pytest.fixture
def sysadmin(personas: Personas) -> Any:
    return make_user("sysadmin", personas.tree.city_a, roles.SYSTEM_ADMIN)


def post_back(response: Any, **changes: Any) -> dict[str, Any]:
    """What a browser would post from the edit page it was given, with `changes` typed in."""
    form = response.context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    contacts = response.context["contacts"]
    data.update({f"contacts-{k}": v for k, v in contacts.management_form.initial.items()})
    data["contacts-TOTAL_FORMS"] = str(len(contacts.initial_forms))
    for i, sub in enumerate(contacts.initial_forms):
        data.update({f"contacts-{i}-{k}": v for k, v in sub.initial.items() if k != "retiree"})
        data[f"contacts-{i}-id"] = sub.instance.pk
    data.update(changes)
    return data


def audited(action: str, person: Retiree) -> int:
    return AuditRecord.objects.filter(action=action, object_id=str(person.pk)).count()


# --- death --------------------------------------------------------------------------------------


def test_it_records_a_death_and_keeps_the_record(personas: Personas, person: Retiree) -> None:
    client = login_client(personas.owner)
    response = client.post(f"/registry/{person.pk}/death/", {"deceased_on": "2026-02-01"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == "deceased" and person.deceased_on == dt.date(2026, 2, 1)
    assert Retiree.objects.filter(pk=person.pk, is_deleted=False).exists()
    page = client.get(f"/registry/{person.pk}/").content.decode()
    assert "2026-02-01" in page
    names = [row.record.name for row in client.get("/registry/?status=deceased").context["table"].page.object_list]
    assert names == ["周建华"]
    assert person not in members(personas.owner, {})  # libraries hold the living
    assert audited("update", person) == 1


def test_it_refuses_a_death_in_the_future_or_before_birth(personas: Personas, person: Retiree) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    response = login_client(personas.owner).post(f"/registry/{person.pk}/death/", {"deceased_on": tomorrow})
    assert response.status_code == 200 and "future" in response.content.decode()
    with pytest.raises(ValidationError):
        services.do_record_death(by=personas.owner, retiree=person, date=person.birth_date - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.do_record_death(by=personas.limited, retiree=person, date=TODAY)
    person.refresh_from_db()
    assert person.status == "active" and person.deceased_on is None


# --- moves --------------------------------------------------------------------------------------


def test_it_moves_a_person_and_both_sides_see_it(personas: Personas, person: Retiree) -> None:
    old_side, new_side = login_client(personas.owner), login_client(personas.outsider)
    response = old_side.post(f"/registry/{person.pk}/move/", {"to_org": "330212", "reason": "随子女迁居宁波"})
    assert response.status_code == 302 and response["Location"] == "/registry/moves/"
    person.refresh_from_db()
    assert person.org == personas.tree.county_b and person.status == "active"
    # The old side: the record is no longer theirs, but the move is in their moves list and their audit trail.
    assert old_side.get(f"/registry/{person.pk}/").status_code == 404
    moves = old_side.get("/registry/moves/").content.decode()
    assert "周建华" in moves and "随子女迁居宁波" in moves
    old_auditor = make_user("auditor_a", personas.tree.city_a, roles.AUDIT_ADMIN)
    trail = audit_scope(old_auditor, "view").filter(object_id=str(person.pk))
    assert trail.filter(changes__org=["330106U01", "330212"], org_path=personas.tree.unit_a.path).exists()
    # The new side: the record with its moves and its whole history, from before the move too.
    page = new_side.get(f"/registry/{person.pk}/")
    assert page.status_code == 200
    assert "随子女迁居宁波" in page.content.decode()
    assert any(h.action == "create" for h in page.context["history"])
    assert "周建华" in new_side.get("/registry/moves/").content.decode()
    assert Transfer.objects.get(retiree=person).by == "owner"


def test_it_refuses_a_move_without_a_reason_or_to_the_same_org(personas: Personas, person: Retiree) -> None:
    with pytest.raises(ValidationError):
        services.do_transfer(by=personas.owner, retiree=person, to_org=personas.tree.county_b, reason="  ")
    with pytest.raises(ValidationError):
        services.do_transfer(by=personas.owner, retiree=person, to_org=personas.tree.unit_a, reason="x")
    with pytest.raises(PermissionDenied):
        services.do_transfer(by=personas.limited, retiree=person, to_org=personas.tree.county_b, reason="x")
    assert not Transfer.objects.exists()
    assert Retiree.objects.get(pk=person.pk).org == personas.tree.unit_a


# --- deletion -----------------------------------------------------------------------------------


def test_it_deletes_softly_for_a_system_admin_with_a_reason(personas: Personas, person: Retiree, sysadmin: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.do_soft_delete(by=personas.owner, retiree=person, reason="重复录入")
    with pytest.raises(ValidationError):
        services.do_soft_delete(by=sysadmin, retiree=person, reason=" ")
    response = login_client(sysadmin).post(f"/registry/{person.pk}/delete/", {"reason": "重复录入"})
    assert response.status_code == 302
    row = Retiree.objects.get(pk=person.pk)  # still in the database
    assert row.is_deleted and row.deleted_reason == "重复录入" and row.deleted_at is not None
    assert row.id_number == person.id_number and row.contacts.count() == person.contacts.count()
    owner = login_client(personas.owner)
    assert [r.record for r in owner.get("/registry/").context["table"].page.object_list] == []
    assert owner.get(f"/registry/{person.pk}/").status_code == 404
    assert list(owner.get(f"/registry/?q={person.id_number}").context["table"].page.object_list) == []
    assert not members(personas.owner, {}).exists()
    record = AuditRecord.objects.get(action="delete", object_id=str(person.pk))
    assert record.extra["reason"] == "重复录入" and record.actor_username == "sysadmin"


# --- two editors --------------------------------------------------------------------------------


def test_it_tells_the_second_editor_of_a_conflict(personas: Personas, person: Retiree, clerk: Any) -> None:
    second_clerk = make_user("clerk2", personas.tree.unit_a, roles.CLERK)
    first, second = login_client(clerk), login_client(second_clerk)
    url = f"/registry/{person.pk}/edit/"
    first_page, second_page = first.get(url), second.get(url)
    assert re.search(rf'name="version" value="{person.version}"', first_page.content.decode())
    saved = first.post(url, post_back(first_page, skills="太极拳"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    refused = second.post(url, post_back(second_page, skills="围棋", community="新社区"))
    assert refused.status_code == 200
    assert "Someone else saved this record" in refused.content.decode()
    person.refresh_from_db()
    assert person.skills == "太极拳" and person.community != "新社区" and person.version == 2
    # Reloading shows the new version, and saving from it works.
    again = second.get(url)
    assert second.post(url, post_back(again, skills="围棋")).status_code == 302
    assert Retiree.objects.get(pk=person.pk).skills == "围棋"


def test_it_refuses_a_stale_version_in_the_service(personas: Personas, person: Retiree) -> None:
    services.do_update_retiree(by=personas.owner, retiree=person, values={"skills": "a"}, expected_version=1)
    with pytest.raises(services.EditConflict):
        services.do_update_retiree(by=personas.owner, retiree=person, values={"skills": "b"}, expected_version=1)
    assert Retiree.objects.get(pk=person.pk).skills == "a"


# --- duplicates ---------------------------------------------------------------------------------


def test_it_refuses_a_duplicate_id_number(personas: Personas, person: Retiree) -> None:
    values = {"name": "重复", "id_number": person.id_number, "birth_date": person.birth_date, "category": "tuixiu"}
    with pytest.raises(ValidationError) as caught:
        services.do_create_retiree(by=personas.owner, org=personas.tree.unit_a, values={**values})
    assert caught.value.message_dict["id_number"][0].startswith("This ID number is already registered.")
    form = {
        "org": personas.tree.county_a.pk,
        "name": "重复",
        "id_number": person.id_number[:6] + " " + person.id_number[6:].lower(),  # the same number, typed loosely
        "category": "tuixiu",
        "ethnic": "01",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    response = login_client(personas.owner).post("/registry/add/", form)
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert Retiree.objects.count() == 1


def test_it_refuses_a_duplicate_id_number_on_edit(personas: Personas, person: Retiree) -> None:
    other, _c = make_retiree(4, personas.tree.unit_a, "330106")
    other.save()
    with pytest.raises(ValidationError):
        services.do_update_retiree(
            by=personas.owner, retiree=other, values={"id_number": person.id_number}, expected_version=other.version
        )
    assert Retiree.objects.get(pk=other.pk).id_number != person.id_number


# --- sensitive values on pages ------------------------------------------------------------------


def test_it_audits_unmasked_views_on_the_detail_page(personas: Personas, person: Retiree) -> None:
    client = login_client(personas.owner)
    masked = client.get(f"/registry/{person.pk}/").content.decode()
    assert person.id_number not in masked and person.id_masked in masked and "139****5678" in masked
    assert "?reveal=1" in masked
    assert audited("view_sensitive", person) == 0
    revealed = client.get(f"/registry/{person.pk}/?reveal=1").content.decode()
    assert person.id_number in revealed and "13912345678" in revealed and "糖尿病" in revealed
    assert audited("view_sensitive", person) == 1
    record = AuditRecord.objects.get(action="view_sensitive")
    assert record.actor_username == "owner" and set(record.extra["fields"]) >= {"id_number", "phone"}


def test_it_refuses_to_unmask_for_a_clerk(personas: Personas, person: Retiree, clerk: Any) -> None:
    client = login_client(clerk)
    response = client.get(f"/registry/{person.pk}/?reveal=1")
    page = response.content.decode()
    assert person.id_number not in page and "13912345678" not in page and "糖尿病" not in page
    assert person.id_masked in page
    assert not response.context["may_reveal"] and not response.context["revealed"]
    for contact in person.contacts.all():
        assert contact.phone not in page
    assert audited("view_sensitive", person) == 0
    with pytest.raises(PermissionDenied):
        services.reveal(clerk, person)


def test_it_keeps_plain_values_out_of_a_clerks_edit_form(personas: Personas, person: Retiree, clerk: Any) -> None:
    client = login_client(clerk)
    page = client.get(f"/registry/{person.pk}/edit/")
    body = page.content.decode()
    for secret in (person.id_number, "13912345678", "保俶路9号", "糖尿病", *[c.phone for c in person.contacts.all()]):
        assert secret not in body
    assert person.id_masked in body  # as a hint of what is stored
    assert audited("view_sensitive", person) == 0
    # Saving without retyping them keeps the stored values.
    assert client.post(f"/registry/{person.pk}/edit/", post_back(page, skills="园艺")).status_code == 302
    saved = Retiree.objects.get(pk=person.pk)
    assert (saved.skills, saved.id_number, saved.phone) == ("园艺", person.id_number, "13912345678")
    assert (saved.address, saved.health_notes) == ("杭州市西湖区保俶路9号", "糖尿病")
    assert sorted(c.phone for c in saved.contacts.all()) == sorted(c.phone for c in person.contacts.all())


def test_it_audits_the_unmasked_edit_form(personas: Personas, person: Retiree) -> None:
    page = login_client(personas.owner).get(f"/registry/{person.pk}/edit/").content.decode()
    assert person.id_number in page and "13912345678" in page
    assert audited("view_sensitive", person) == 1


def test_it_creates_with_contacts_through_the_form(personas: Personas) -> None:
    number = idcard.make("330106", dt.date(1948, 8, 8), 77, "F")
    form = {
        "org": personas.tree.unit_a.pk,
        "name": "陈　红",
        "id_number": number,
        "category": "tuixiu",
        "ethnic": "01",
        "phone": "139-1111-2222",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-relation": "儿子",
        "contacts-0-name": "陈刚",
        "contacts-0-phone": "+86 137 0000 1111",
        "contacts-0-is_emergency": "on",
    }
    response = login_client(personas.owner).post("/registry/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Retiree.objects.get(name="陈红")
    assert created.gender == "F" and created.birth_date == dt.date(1948, 8, 8) and created.phone == "13911112222"
    contact = created.contacts.get()
    assert (contact.relation, contact.phone, contact.is_emergency) == ("儿子", "13700001111", True)
    assert contact.phone_masked == "137****1111"


def test_it_needs_no_login_redirect_loop_for_anonymous_edits(person: Retiree) -> None:
    response = Client().post(f"/registry/{person.pk}/edit/", {"skills": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Retiree.objects.get(pk=person.pk).skills == person.skills

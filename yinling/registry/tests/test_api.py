"""/api/v1/retirees/: scoped and masked like the pages, the same rules as forms and imports, optimistic locking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.orgs.models import Org
from yinling.registry import idcard, services
from yinling.registry.demo import make_retiree
from yinling.registry.models import FamilyContact, Retiree
from yinling.testing.personas import Personas, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/retirees/"
NEW_ID = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")


def api(user: Any, language: str = "zh-hans") -> APIClient:
    client = APIClient()
    client.cookies["django_language"] = language  # the API ignores Accept-Language (docs/api.md)
    if user is not None:
        client.force_authenticate(user)
    return client


def make(org: Org, i: int, **fields: Any) -> Retiree:
    """A synthetic person with `fields` set; a given gender or birth date gets a matching ID number."""
    person, contacts = make_retiree(i, org, org.code[:6])
    person.status, person.deceased_on = "active", None
    if "gender" in fields or "birth_date" in fields:
        gender, birth = fields.get("gender", person.gender), fields.get("birth_date", person.birth_date)
        fields["id_number"] = idcard.make(org.code[:6], birth, i, gender)
    for key, value in fields.items():
        setattr(person, key, value)
    person.save()
    for contact in contacts:
        contact.retiree = person
        contact.save()
    return person


@pytest.fixture
def zhang(personas: Personas) -> Retiree:
    return make(
        personas.tree.unit_a,
        1,
        name="张建国",
        phone="13800135678",
        address="杭州市西湖区文三路1号",
        health_notes="高血压",
        category="tuixiu",
        gender="M",
        political="cpc",
        living="alone",
        health="chronic",
        special_flags=["hardship"],
        contributions=["silver_talent"],
    )


@pytest.fixture
def other(personas: Personas) -> Retiree:
    return make(personas.tree.county_b, 2, name="王外区")


@pytest.fixture
def clerk(personas: Personas) -> Any:
    return make_user("clerk", personas.tree.county_a, roles.CLERK)


def views_audited() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=AuditRecord.Action.VIEW_SENSITIVE).order_by("id"))


# --- reading ------------------------------------------------------------------------------------


def test_it_lists_only_the_callers_scope(personas: Personas, zhang: Retiree, other: Retiree) -> None:
    body = api(personas.owner).get(URL).json()
    assert body["count"] == 1 and [r["id"] for r in body["results"]] == [zhang.pk]
    body = api(personas.outsider).get(URL).json()
    assert [r["id"] for r in body["results"]] == [other.pk]
    assert api(personas.norole).get(URL).status_code == 403
    assert api(None).get(URL).status_code in (401, 403)


def test_it_answers_every_documented_field(personas: Personas, zhang: Retiree) -> None:
    row = api(personas.owner).get(f"{URL}{zhang.pk}/").json()
    expected = {
        "id", "org", "org_name", "name", "former_name", "gender", "ethnic", "birth_date", "age", "category",
        "status", "id_number", "phone", "address", "community", "education", "political", "party_joined",
        "work_started", "retired_on", "former_unit", "former_post", "rank", "treatment_level", "placement",
        "health", "health_notes", "living", "disabled", "special_flags", "contributions", "skills", "honours",
        "deceased_on", "version", "contacts",
    }  # fmt: skip
    assert expected <= set(row)
    assert row["org"] == "330106U01" and row["org_name"] == personas.tree.unit_a.name
    assert row["birth_date"] == zhang.birth_date.isoformat() and row["age"] == zhang.age
    assert row["special_flags"] == ["hardship"] and row["contributions"] == ["silver_talent"]
    assert row["version"] == zhang.version and row["status"] == "active"
    assert {c["relation"] for c in row["contacts"]} == {c.relation for c in zhang.contacts.all()}
    assert set(row["contacts"][0]) == {"relation", "name", "phone", "is_emergency"}


def test_it_masks_for_a_role_without_view_sensitive(personas: Personas, zhang: Retiree, clerk: Any) -> None:
    for user in (clerk, personas.limited):
        row = api(user).get(f"{URL}{zhang.pk}/").json()
        assert row["id_number"] == zhang.id_masked and row["id_number"].startswith("*" * 14)
        assert row["birth_date"] == f"{zhang.birth_date:%Y}"
        assert row["phone"] == "138****5678"
        assert row["address"] == zhang.address_masked and "文三路1号" not in row["address"]
        assert row["health_notes"] == "****"
        for contact in row["contacts"]:
            assert "****" in contact["phone"]
        listed = api(user).get(URL).json()["results"][0]
        assert listed["id_number"] == zhang.id_masked and listed["phone"] == "138****5678"
    assert views_audited() == []


def test_it_unmasks_for_view_sensitive_and_audits_each_answer(personas: Personas, zhang: Retiree) -> None:
    client = api(personas.owner)
    row = client.get(f"{URL}{zhang.pk}/").json()
    assert row["id_number"] == zhang.id_number and row["phone"] == "13800135678"
    assert row["address"] == "杭州市西湖区文三路1号" and row["health_notes"] == "高血压"
    assert sorted(c["phone"] for c in row["contacts"]) == sorted(c.phone for c in zhang.contacts.all())
    client.get(f"{URL}{zhang.pk}/")
    records = views_audited()
    assert len(records) == 2  # one per answer
    assert {r.object_id for r in records} == {str(zhang.pk)} and records[0].actor_username == "owner"
    assert records[0].org_path == personas.tree.unit_a.path


def test_it_audits_an_unmasked_list_page_once_with_its_ids(personas: Personas, zhang: Retiree) -> None:
    second = make(personas.tree.county_a, 3, name="李二")
    body = api(personas.owner).get(URL).json()
    assert {r["id_number"] for r in body["results"]} == {zhang.id_number, second.id_number}
    records = views_audited()
    assert len(records) == 1
    assert sorted(records[0].extra["ids"]) == sorted([zhang.pk, second.pk])
    # Filed at the deepest org that covers the whole page, so that org's auditors see it.
    assert records[0].org_path == personas.tree.county_a.path
    api(personas.owner).get(URL + "?q=nobody")
    assert len(views_audited()) == 1  # an empty page reveals nothing


def test_it_filters_and_searches_like_the_page(personas: Personas, zhang: Retiree) -> None:
    make(personas.tree.county_a, 4, name="李四", political="none", living="with_children", gender="F",
         special_flags=[], contributions=[], health="good", category="tuixiu")  # fmt: skip
    make(personas.tree.unit_a, 5, name="赵离世", status="deceased", deceased_on=dt.date(2025, 1, 1),
         political="none", living="other", health="good", special_flags=[], contributions=[])  # fmt: skip
    client = api(personas.owner)

    def names(query: str) -> list[str]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return sorted(r["name"] for r in response.json()["results"])

    assert names("q=张建国") == names("q=zhangjianguo") == names("q=zjg") == names("q=5678") == ["张建国"]
    assert names(f"q={zhang.id_number}") == names(f"q={zhang.id_number[-6:]}") == ["张建国"]
    assert names("q=13800135678") == ["张建国"]
    assert names("party=party&status=active") == ["张建国"]
    assert names("living=alone") == names("health=chronic") == names("special_flag=hardship") == ["张建国"]
    assert names("contribution=silver_talent") == ["张建国"]
    assert names("gender=F") == ["李四"]
    assert names("org=330106U01&status=active") == ["张建国"]
    assert names("org=330106&status=active") == ["张建国", "李四"]
    assert client.get(URL + "?org=330212").status_code == 400  # outside the caller's area: as an unknown code
    assert names("status=deceased") == ["赵离世"]
    assert names(f"age_min={zhang.age}&age_max={zhang.age}&status=active") == ["张建国"]
    assert client.get(URL + "?gender=X").status_code == 400


def test_it_answers_404_outside_scope_and_for_deleted_records(
    personas: Personas, zhang: Retiree, other: Retiree
) -> None:
    client = api(personas.owner)
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.patch(f"{URL}{other.pk}/", {"skills": "x", "version": 1}, format="json").status_code == 404
    assert client.get(f"{URL}999999/").status_code == 404
    Retiree.objects.filter(pk=zhang.pk).update(is_deleted=True)
    assert client.get(f"{URL}{zhang.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0


# --- creating -----------------------------------------------------------------------------------


def payload(**changes: Any) -> dict[str, Any]:
    return {"org": "330106", "name": "新　人", "id_number": NEW_ID, "category": "tuixiu", **changes}


def test_it_creates_with_an_org_code(personas: Personas) -> None:
    response = api(personas.owner).post(URL, payload(phone="138 0013 8000", work_started="1968.08"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["org"] == "330106" and body["name"] == "新人" and body["version"] == 1
    assert body["gender"] == "M" and body["birth_date"] == "1950-03-01"  # from the ID number
    assert body["work_started"] == "1968-08" and body["phone"] == "13800138000"
    person = Retiree.objects.get(pk=body["id"])
    assert person.org == personas.tree.county_a and person.id_number == NEW_ID
    assert AuditRecord.objects.filter(action="create", object_id=str(person.pk)).exists()


def test_it_accepts_what_sheets_and_forms_accept(personas: Personas, clerk: Any) -> None:
    data = payload(
        id_number=" " + NEW_ID.lower(),
        category="离休",
        gender="男",
        birth_date="1950年3月1日",
        ethnic="回",
        work_started="1949.05",
        political="中共党员",
        special_flags=["困难", "widowed"],
        disabled=True,
        phone="0571-88888888",
    )
    response = api(clerk).post(URL, data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["category"], body["ethnic"], body["political"]) == ("lixiu", "03", "cpc")
    assert body["special_flags"] == ["hardship", "widowed"] and body["disabled"] is True
    assert body["id_number"] == idcard.mask(NEW_ID) and body["phone"] == "057******8888"  # the clerk sees masks
    assert Retiree.objects.get(pk=body["id"]).id_number == NEW_ID
    assert not AuditRecord.objects.filter(action="view_sensitive").exists()


def test_it_explains_what_is_wrong(personas: Personas) -> None:
    client = api(personas.owner, language="en")
    wrong_check = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    response = client.post(URL, payload(id_number=wrong_check, phone="123", birth_date="1945-02-30"), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"id_number", "phone", "birth_date"}
    assert errors["id_number"][0].startswith("身份证号") and "check digit" in errors["id_number"][0]
    assert "mainland phone" in errors["phone"][0] and "real date" in errors["birth_date"][0]

    errors = client.post(URL, payload(category="lixiu", work_started="1950-01"), format="json").json()
    assert "1949-09-30" in errors["work_started"][0]
    errors = client.post(URL, payload(gender="F"), format="json").json()
    assert "does not match the ID number" in errors["gender"][0]
    errors = client.post(URL, {"org": "330106"}, format="json").json()
    assert {"name", "id_number", "category"} <= set(errors)
    errors = client.post(URL, payload(special_flags=["富裕"]), format="json").json()
    assert "困难" in errors["special_flags"][0]


def test_it_refuses_a_duplicate_id_number(personas: Personas, zhang: Retiree) -> None:
    response = api(personas.owner, language="en").post(URL, payload(id_number=zhang.id_number), format="json")
    assert response.status_code == 400
    assert "already registered" in response.json()["id_number"][0]
    # Integrations that send no language get the bureau's own: Chinese.
    response = api(personas.owner).post(URL, payload(id_number=zhang.id_number), format="json")
    assert response.status_code == 400 and "已有这个身份证号" in response.json()["id_number"][0]
    assert Retiree.objects.count() == 1


def test_it_refuses_an_org_outside_the_callers_area(personas: Personas) -> None:
    client = api(personas.owner)
    response = client.post(URL, payload(org="330212"), format="json")
    assert response.status_code == 400 and "330212" in response.json()["org"][0]
    response = client.post(URL, payload(org="999999"), format="json")
    assert response.status_code == 400 and "999999" in response.json()["org"][0]
    assert not Retiree.objects.exists()


def test_it_forbids_writes_without_the_permission(personas: Personas, zhang: Retiree) -> None:
    client = api(personas.limited)
    assert client.get(f"{URL}{zhang.pk}/").status_code == 200
    assert client.post(URL, payload(), format="json").status_code == 403
    assert client.patch(f"{URL}{zhang.pk}/", {"skills": "x", "version": 1}, format="json").status_code == 403
    assert client.put(f"{URL}{zhang.pk}/", payload(version=1), format="json").status_code == 403
    assert api(personas.norole).post(URL, payload(), format="json").status_code == 403
    assert client.delete(f"{URL}{zhang.pk}/").status_code == 405  # no deletion through the API


# --- updating -----------------------------------------------------------------------------------


def test_it_updates_with_the_version_read(personas: Personas, zhang: Retiree) -> None:
    client = api(personas.owner)
    url = f"{URL}{zhang.pk}/"
    version = client.get(url).json()["version"]
    response = client.patch(url, {"skills": "书法", "version": version, "living": "空巢"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 1 and response.json()["living"] == "empty_nest"
    zhang.refresh_from_db()
    assert zhang.skills == "书法" and zhang.version == version + 1
    assert zhang.id_number and zhang.phone == "13800135678"  # untouched


def test_it_refuses_a_stale_version_with_409(personas: Personas, zhang: Retiree, clerk: Any) -> None:
    url = f"{URL}{zhang.pk}/"
    version = api(personas.owner).get(url).json()["version"]
    assert api(clerk).patch(url, {"skills": "太极", "version": version}, format="json").status_code == 200
    stale = api(personas.owner).patch(url, {"skills": "围棋", "version": version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"] == "conflict" and stale.json()["message"]
    zhang.refresh_from_db()
    assert zhang.skills == "太极" and zhang.version == version + 1


def test_it_requires_the_version_on_update(personas: Personas, zhang: Retiree) -> None:
    response = api(personas.owner).patch(f"{URL}{zhang.pk}/", {"skills": "x"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    response = api(personas.owner).patch(f"{URL}{zhang.pk}/", {"skills": "x", "version": "abc"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_it_checks_a_partial_update_as_the_whole_record(personas: Personas, zhang: Retiree) -> None:
    response = api(personas.owner).patch(
        f"{URL}{zhang.pk}/", {"category": "lixiu", "work_started": "1960-01", "version": zhang.version}, format="json"
    )
    assert response.status_code == 400 and "work_started" in response.json()
    assert Retiree.objects.get(pk=zhang.pk).category == "tuixiu"


def test_it_keeps_stored_values_when_masks_are_sent_back(personas: Personas, zhang: Retiree, clerk: Any) -> None:
    client = api(clerk)
    url = f"{URL}{zhang.pk}/"
    read = client.get(url).json()
    body = {k: v for k, v in read.items() if k not in ("contacts", "age", "org_name", "id")}
    body["skills"] = "园艺"
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.content
    person = Retiree.objects.get(pk=zhang.pk)
    assert person.skills == "园艺"
    assert person.id_number == zhang.id_number and person.phone == "13800135678"
    assert person.address == "杭州市西湖区文三路1号" and person.health_notes == "高血压"


def test_it_does_not_let_the_api_change_status_or_death(personas: Personas, zhang: Retiree) -> None:
    response = api(personas.owner).patch(
        f"{URL}{zhang.pk}/", {"status": "deceased", "deceased_on": "2025-01-01", "version": 1}, format="json"
    )
    assert response.status_code == 200
    zhang.refresh_from_db()
    assert zhang.status == "active" and zhang.deceased_on is None


def test_it_moves_a_record_only_within_the_callers_area(personas: Personas, zhang: Retiree) -> None:
    client = api(personas.owner)
    url = f"{URL}{zhang.pk}/"
    refused = client.patch(url, {"org": "330212", "version": zhang.version}, format="json")
    assert refused.status_code == 400 and "330212" in refused.json()["org"][0]
    assert Retiree.objects.get(pk=zhang.pk).org == personas.tree.unit_a
    moved = client.patch(url, {"org": "330106", "version": zhang.version}, format="json")
    assert moved.status_code == 200 and moved.json()["org"] == "330106"


def test_it_audits_api_changes_with_masked_values(personas: Personas, zhang: Retiree) -> None:
    api(personas.owner).patch(f"{URL}{zhang.pk}/", {"phone": "13911112222", "version": zhang.version}, format="json")
    change = AuditRecord.objects.filter(action="update", object_id=str(zhang.pk)).latest("id")
    assert "phone" in change.changes
    assert "13911112222" not in str(change.changes) and "13800135678" not in str(change.changes)


def test_it_answers_unmasked_after_a_write_only_for_view_sensitive(personas: Personas, zhang: Retiree) -> None:
    response = api(personas.owner).patch(f"{URL}{zhang.pk}/", {"skills": "x", "version": 1}, format="json")
    assert response.json()["phone"] == "13800135678"
    assert len(views_audited()) == 1


def test_it_serves_contacts_only_of_the_record(personas: Personas, zhang: Retiree) -> None:
    FamilyContact.objects.create(retiree=zhang, relation="孙子", name="张小明", phone="13700001111", is_emergency=True)
    row = api(personas.owner).get(f"{URL}{zhang.pk}/").json()
    assert {"relation": "孙子", "name": "张小明", "phone": "13700001111", "is_emergency": True} in row["contacts"]
    assert services.may_see_sensitive(personas.owner, zhang)


def test_it_describes_the_endpoints_in_the_openapi_schema(personas: Personas) -> None:
    response = api(personas.owner).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import json

    schema = json.loads(response.content)
    paths = schema["paths"]
    assert set(paths["/api/v1/retirees/"]) >= {"get", "post"}
    assert set(paths["/api/v1/retirees/{id}/"]) >= {"get", "put", "patch"}
    assert "409" in paths["/api/v1/retirees/{id}/"]["patch"]["responses"]
    params = {p["name"] for p in paths["/api/v1/retirees/"]["get"]["parameters"]}
    assert {"q", "org", "category", "gender", "age_min", "age_max", "party", "living", "health"} <= params
    assert {"special_flag", "status"} <= params
    retiree = schema["components"]["schemas"]["Retiree"]["properties"]
    assert "contacts" in retiree and "version" in retiree


def test_it_lists_in_a_constant_number_of_queries(personas: Personas, zhang: Retiree) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        client = api(type(personas.owner).objects.get(pk=personas.owner.pk))  # grants not yet cached
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    for i in range(10):
        make(personas.tree.county_a, 20 + i, name=f"李{i}")
    assert queries() == few  # no query per person (org, contacts and scope are fetched once)

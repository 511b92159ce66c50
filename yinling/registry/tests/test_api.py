from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.core.testing import Personas, make_user
from yinling.registry import idcard
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree

pytestmark = pytest.mark.django_db
ID = idcard.make("330106", dt.date(1950, 3, 1), 11, "M")


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def people(personas: Personas) -> tuple[Retiree, Retiree]:
    own, _c = make_retiree(1, personas.tree.unit_a, "330106")
    own.name = "张建国"
    own.save()
    other, _c = make_retiree(2, personas.tree.county_b, "330212")
    other.save()
    return own, other


def test_it_lists_the_callers_scope_masked_for_clerks(personas: Personas, people: tuple[Retiree, Retiree]) -> None:
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)
    body = api(clerk).get("/api/v1/retirees/").json()
    assert [r["id"] for r in body["results"]] == [people[0].pk]
    row = body["results"][0]
    assert row["id_number"] == people[0].id_masked and "*" in row["phone"]
    assert row["org"] == "330106U01"
    assert not AuditRecord.objects.filter(action="view_sensitive").exists()


def test_it_unmasks_for_a_permitted_role_and_audits(personas: Personas, people: tuple[Retiree, Retiree]) -> None:
    row = api(personas.owner).get(f"/api/v1/retirees/{people[0].pk}/").json()
    assert row["id_number"] == people[0].id_number
    assert AuditRecord.objects.filter(action="view_sensitive", object_id=str(people[0].pk)).exists()
    api(personas.owner).get("/api/v1/retirees/")
    assert AuditRecord.objects.filter(action="view_sensitive", extra__ids=[people[0].pk]).exists()


def test_it_filters_and_searches_like_the_page(personas: Personas, people: tuple[Retiree, Retiree]) -> None:
    client = api(personas.owner)
    assert [r["name"] for r in client.get("/api/v1/retirees/?q=zjg").json()["results"]] == ["张建国"]
    assert client.get("/api/v1/retirees/?q=zzz").json()["results"] == []
    assert client.get(f"/api/v1/retirees/?category={people[0].category}").json()["count"] == 1


def test_it_answers_404_outside_scope(personas: Personas, people: tuple[Retiree, Retiree]) -> None:
    assert api(personas.owner).get(f"/api/v1/retirees/{people[1].pk}/").status_code == 404


def test_it_creates_with_an_org_code_and_checks_the_rules(personas: Personas) -> None:
    client = api(personas.owner)
    payload = {"org": "330106", "name": "新人", "id_number": ID, "category": "tuixiu", "phone": "13800138000"}
    response = client.post("/api/v1/retirees/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["gender"] == "M" and response.json()["birth_date"] == "1950-03-01"
    bad = client.post(
        "/api/v1/retirees/",
        {**payload, "id_number": ID[:-1] + "0" if ID[-1] != "0" else ID[:-1] + "1", "phone": "123"},
        format="json",
    )
    assert bad.status_code == 400 and {"id_number", "phone"} <= set(bad.json())
    outside = client.post("/api/v1/retirees/", {**payload, "org": "330212"}, format="json")
    assert outside.status_code == 400 and "org" in outside.json()
    dup = client.post("/api/v1/retirees/", payload, format="json")
    assert dup.status_code == 400


def test_it_refuses_a_stale_version_with_409(personas: Personas, people: tuple[Retiree, Retiree]) -> None:
    client = api(personas.owner)
    url = f"/api/v1/retirees/{people[0].pk}/"
    version = client.get(url).json()["version"]
    first = client.patch(url, {"skills": "书法", "version": version}, format="json")
    assert first.status_code == 200, first.content
    stale = client.patch(url, {"skills": "围棋", "version": version}, format="json")
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    assert Retiree.objects.get(pk=people[0].pk).skills == "书法"


def test_it_forbids_writes_to_leaders(personas: Personas, people: tuple[Retiree, Retiree]) -> None:
    client = api(personas.limited)
    assert client.get(f"/api/v1/retirees/{people[0].pk}/").status_code == 200
    assert (
        client.patch(f"/api/v1/retirees/{people[0].pk}/", {"skills": "x", "version": 1}, format="json").status_code
        == 403
    )
    assert client.post("/api/v1/retirees/", {}, format="json").status_code == 403

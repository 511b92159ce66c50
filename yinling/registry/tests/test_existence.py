"""Answers must not tell an outsider that a record exists in another org's scope (issue #9): a person
registered elsewhere and a person not registered at all get the same answer, and a refused duplicate
on the add page or the API names no org and is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from yinling.audit.models import AuditRecord
from yinling.registry import idcard
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(cast: Cast) -> Retiree:
    """A person the other city registered: outside the clerk's county."""
    return make_retiree_record(cast.tree.city_b, "王建华", "13700137000", 7)


def add_form(cast: Cast, number: str) -> dict[str, Any]:
    return {
        "org": cast.tree.county_a.pk,
        "name": "新人",
        "id_number": number,
        "category": "tuixiu",
        "ethnic": "01",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }


def duplicate_attempts() -> list[AuditRecord]:
    return list(AuditRecord.objects.unrestricted().filter(action="security", extra__rejected="duplicate"))


def test_it_answers_a_duplicate_from_another_org_as_one_in_the_users_own_area(cast: Cast, elsewhere: Retiree) -> None:
    client = login_client(cast.clerk)
    mine = client.post("/registry/add/", add_form(cast, cast.family_record.id_number)).content.decode()
    theirs = client.post("/registry/add/", add_form(cast, elsewhere.id_number)).content.decode()

    def error(page: str) -> str:
        start = page.index("invalid-feedback")
        return page[start : page.index("</div>", start)]

    assert error(mine) == error(theirs)
    assert elsewhere.org.name not in theirs and elsewhere.name not in theirs and elsewhere.org.code not in error(theirs)
    attempts = duplicate_attempts()
    assert [a.extra["via"] for a in attempts] == ["form", "form"] and all(a.actor_username == "clerk" for a in attempts)
    assert elsewhere.id_number not in str([a.extra for a in attempts]) and Retiree.objects.count() == 3


def test_it_answers_a_duplicate_on_the_api_without_naming_the_org(cast: Cast, elsewhere: Retiree) -> None:
    api = APIClient()
    api.force_authenticate(cast.clerk)
    payload = {"org": cast.tree.county_a.code, "name": "新人", "category": "tuixiu"}
    mine = api.post("/api/v1/retirees/", {**payload, "id_number": cast.family_record.id_number}, format="json")
    theirs = api.post("/api/v1/retirees/", {**payload, "id_number": elsewhere.id_number}, format="json")
    assert mine.status_code == theirs.status_code == 400
    assert mine.json() == theirs.json(), theirs.json()
    assert elsewhere.org.code not in theirs.content.decode()
    assert [a.extra["via"] for a in duplicate_attempts()] == ["api", "api"]


def test_it_answers_another_orgs_record_as_one_that_does_not_exist(cast: Cast, elsewhere: Retiree) -> None:
    client = login_client(cast.clerk)
    api = APIClient()
    api.force_authenticate(cast.clerk)
    missing = Retiree.objects.unrestricted().order_by("-pk").first().pk + 100  # type: ignore[union-attr]
    for template in ("/registry/{}/", "/registry/{}/edit/"):
        a, b = client.get(template.format(elsewhere.pk)), client.get(template.format(missing))
        assert a.status_code == b.status_code == 404
    a, b = api.get(f"/api/v1/retirees/{elsewhere.pk}/"), api.get(f"/api/v1/retirees/{missing}/")
    assert a.status_code == b.status_code == 404 and a.json() == b.json()
    nobody = idcard.make("330106", dt.date(1950, 5, 5), 99, "M")
    a, b = client.get("/registry/lookup/", {"q": elsewhere.id_number}), client.get("/registry/lookup/", {"q": nobody})
    assert a.status_code == b.status_code == 200
    assert a.content.decode().replace(elsewhere.id_number, "Q") == b.content.decode().replace(nobody, "Q")

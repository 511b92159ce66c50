"""Exact searches by a whole ID number, the last six of one, or a whole mobile (search_guard): audited for
everyone, limited per user and hour for roles without the sensitive right, on the list page, the API and
the picker's lookup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_an_hour(settings: Any) -> Iterator[None]:
    settings.REGISTRY_EXACT_SEARCHES_PER_HOUR = 2
    cache.clear()
    yield
    cache.clear()


def searches() -> list[AuditRecord]:
    return list(
        AuditRecord.objects.unrestricted().filter(action="security", object_type="registry.retiree").order_by("id")
    )


def test_it_limits_and_audits_a_clerks_search_by_whole_phone_on_the_list_page(cast: Cast) -> None:
    person = cast.family_record  # in the clerk's county
    client = login_client(cast.clerk)
    for _ in range(2):
        page = client.get("/registry/", {"q": person.phone}).content.decode()
        assert person.name in page
    refused = client.get("/registry/", {"q": person.phone}).content.decode()
    assert person.name not in refused and "按完整身份证号或电话查询的次数过多" in refused
    records = searches()
    assert [r.extra["rows"] for r in records] == [1, 1, None]
    assert all(r.actor_username == "clerk" and r.extra["via"] == "list" for r in records)
    assert person.phone not in str([r.extra for r in records])  # masked in the trail
    assert records[0].extra["filters"]["q"] == "139****9000"


def test_it_limits_the_api_search_by_whole_id_number_with_429(cast: Cast) -> None:
    person = cast.family_record
    api = APIClient()
    api.force_authenticate(cast.clerk)
    answers = [api.get("/api/v1/retirees/", {"search": person.id_number}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].json()["count"] == 1
    assert [(r.extra["via"], r.extra["rows"]) for r in searches()] == [("api", 1), ("api", 1), ("api", None)]


def test_it_limits_the_pickers_search_by_the_last_six(cast: Cast) -> None:
    person = cast.family_record
    client = login_client(cast.clerk)
    answers = [client.get("/registry/lookup/", {"q": person.id_number[-6:]}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert person.name in answers[0].content.decode() and person.name not in answers[2].content.decode()
    assert [r.extra["via"] for r in searches()] == ["lookup"] * 3


def test_it_lets_a_bureau_admin_search_by_whole_numbers_unlimited_but_audited(cast: Cast) -> None:
    person = cast.family_record
    client = login_client(cast.bureau_admin)
    for _ in range(4):
        assert person.name in client.get("/registry/", {"q": person.id_number}).content.decode()
    assert [r.extra["rows"] for r in searches()] == [1, 1, 1, 1]


def test_it_does_not_count_the_everyday_searches(cast: Cast) -> None:
    person = cast.family_record
    client = login_client(cast.clerk)
    for q in (person.name, person.id_number[-4:], person.phone[-4:], person.name, person.id_number[-4:]):
        assert person.name in client.get("/registry/", {"q": q}).content.decode()
    assert searches() == []


def test_it_limits_and_audits_a_pickers_typed_whole_phone_without_javascript(cast: Cast) -> None:
    """A picker submitted without a choice searches by its text on the server: the same guard holds."""
    person = cast.family_record
    client = login_client(cast.clerk)
    pages = [client.get("/registry/moves/", {"person": "", "person__text": person.phone}) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert not pages[0].context["filter"].errors
    assert "按完整身份证号或电话查询的次数过多" in pages[2].content.decode()
    records = searches()
    assert [(r.extra["via"], r.extra["rows"]) for r in records] == [("picker", 1), ("picker", 1), ("picker", None)]
    assert person.phone not in str([r.extra for r in records])


def test_it_audits_a_typed_whole_id_number_that_finds_nobody(cast: Cast) -> None:
    client = login_client(cast.clerk)
    page = client.get("/registry/moves/", {"person": "", "person__text": "110101194503010012"})
    assert page.status_code == 200 and page.context["filter"].errors
    assert [(r.extra["via"], r.extra["rows"]) for r in searches()] == [("picker", 0)]

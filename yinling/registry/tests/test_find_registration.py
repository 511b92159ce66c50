"""The duplicate finder (views_duplicates): the one route that tells staff where an ID number is managed.
Everything else answers "already registered" and names no org; this one needs the right to register
people, is limited like any search by a whole number, and audits every question with its answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from yinling.audit.models import AuditRecord
from yinling.registry import idcard
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db
URL = "/registry/find/"
UNKNOWN = idcard.make("330106", dt.date(1950, 1, 2), 5, "M")


@pytest.fixture(autouse=True)
def three_an_hour(settings: Any) -> Iterator[None]:
    settings.REGISTRY_EXACT_SEARCHES_PER_HOUR = 3
    cache.clear()
    yield
    cache.clear()


def ask(user: Any, number: str) -> Any:
    response = login_client(user).post(URL, {"id_number": number})
    assert response.status_code == 200
    return response


def questions() -> list[dict[str, Any]]:
    rows = AuditRecord.objects.unrestricted().filter(action="security", extra__via="duplicate").order_by("id")
    return [r.extra for r in rows]


def test_it_answers_a_clerk_each_way_and_never_names_a_person_outside(cast: Cast) -> None:
    outside = make_retiree_record(cast.tree.city_b, "王外人", "13700137000", 3)
    mine = ask(cast.clerk, cast.family_record.id_number)
    assert mine.context["finding"].answer == "yours"
    assert f'href="/registry/{cast.family_record.pk}/"' in mine.content.decode()
    other = ask(cast.clerk, outside.id_number)
    page = other.content.decode()
    assert other.context["finding"].answer == "elsewhere" and outside.org.name in page and outside.org.code in page
    assert outside.name not in page and f"/registry/{outside.pk}/" not in page and outside.phone_masked not in page
    none = ask(cast.clerk, UNKNOWN)
    assert none.context["finding"].answer == "none"
    assert [(q["answer"], q["org"]) for q in questions()] == [
        ("yours", cast.family_record.org.code),
        ("elsewhere", outside.org.code),
        ("none", ""),
    ]
    trail = str(questions())
    assert outside.id_number not in trail and cast.family_record.id_number not in trail


def test_it_tells_of_a_deleted_record_in_the_area_but_not_outside(cast: Cast) -> None:
    person = cast.family_record
    Retiree.objects.unrestricted().filter(pk=person.pk).update(is_deleted=True)
    assert ask(cast.clerk, person.id_number).context["finding"].answer == "deleted"
    assert ask(cast.outsider, person.id_number).context["finding"].answer == "elsewhere"


def test_it_limits_a_clerk_and_audits_the_refused_question(cast: Cast) -> None:
    for _ in range(3):
        assert ask(cast.clerk, UNKNOWN).context["finding"] is not None
    refused = ask(cast.clerk, UNKNOWN)
    assert refused.context["finding"] is None and refused.context["form"].errors["id_number"]
    assert [q.get("answer") for q in questions()] == ["none", "none", "none", None]


@pytest.mark.parametrize("role", ["leader", "norole", "retiree", "audit_admin"])
def test_it_refuses_users_who_do_not_register_people(cast: Cast, role: str) -> None:
    client = login_client(getattr(cast, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"id_number": cast.family_record.id_number}).status_code == 403
    assert questions() == []


@pytest.mark.parametrize("bad", ["", "1234", "33010619500102005Y", "330106195013020051", "330106195001020050"])
def test_it_explains_a_bad_number_and_asks_nothing(cast: Cast, bad: str) -> None:
    response = ask(cast.clerk, bad)
    assert response.context["form"].errors["id_number"] and response.context["finding"] is None
    assert questions() == []


def test_it_never_searches_from_a_url(cast: Cast) -> None:
    response = login_client(cast.clerk).get(URL, {"id_number": cast.family_record.id_number})
    assert response.status_code == 200 and response.context["finding"] is None and questions() == []

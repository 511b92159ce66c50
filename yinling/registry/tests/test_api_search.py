"""The API's retiree search: `?search=` (DRF's name) as well as `?q=`; a filter it does not know is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from yinling.registry.models import Retiree
from yinling.registry.tests.test_api import URL, api, make
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(personas: Personas) -> dict[str, Retiree]:
    t = personas.tree
    return {
        "张建国": make(t.unit_a, 1, name="张建国", phone="13800135678"),
        "李四": make(t.county_a, 2, name="李四", phone="13900001111"),
        "张离世": make(t.unit_a, 3, name="张离世", status="deceased", deceased_on=dt.date(2025, 1, 1)),
        "张迁出": make(t.unit_a, 4, name="张迁出", status="moved_out"),
    }


def names(personas: Personas, query: str) -> list[str]:
    response = api(personas.owner).get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    return sorted(r["name"] for r in response.json()["results"])


@pytest.mark.parametrize("param", ["q", "search"])
def test_it_searches_with_q_and_with_search(personas: Personas, people: dict[str, Retiree], param: str) -> None:
    assert names(personas, f"{param}=张建国") == ["张建国"]
    assert names(personas, f"{param}=zjg") == ["张建国"]
    assert names(personas, f"{param}=5678") == ["张建国"]
    assert names(personas, f"{param}=nobody") == []


def test_it_narrows_by_both_when_q_and_search_are_given(personas: Personas, people: dict[str, Retiree]) -> None:
    assert names(personas, "q=张&search=zjg") == ["张建国"]
    assert names(personas, "q=李四&search=zjg") == []


def test_it_lists_people_on_register_unless_asked(personas: Personas, people: dict[str, Retiree]) -> None:
    assert names(personas, "") == ["张建国", "李四"]
    assert names(personas, "search=张") == ["张建国"]
    assert names(personas, "search=张&status=all") == ["张建国", "张离世", "张迁出"]
    assert names(personas, "status=deceased") == ["张离世"]
    assert names(personas, "status=moved_out") == ["张迁出"]


@pytest.mark.parametrize(
    "query", ["name=张建国", "serach=张建国", "q=张建国&Search=x", "id_number=1234", "status=gone", "age_min=old"]
)
def test_it_never_widens_the_result_for_a_filter_it_does_not_know(
    personas: Personas, people: dict[str, Retiree], query: str
) -> None:
    response = api(personas.owner).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert "results" not in response.json()


def test_it_names_the_unknown_filter_and_the_known_ones(personas: Personas, people: dict[str, Retiree]) -> None:
    response = api(personas.owner, "en").get(f"{URL}?name=张建国")
    message = " ".join(response.json()["name"])
    assert "search" in message and "q" in message


def test_it_still_pages_and_takes_a_format(personas: Personas, people: dict[str, Retiree]) -> None:
    client = api(personas.owner)
    assert client.get(f"{URL}?page=1&search=张").status_code == 200
    assert client.get(f"{URL}?format=json&search=张").status_code == 200

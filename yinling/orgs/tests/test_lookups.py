"""The org picker: its lookup (active orgs, scoped unless a move asks for all), its field and where it is used."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yinling.orgs.models import Org
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas, make_org

pytestmark = pytest.mark.django_db
LOOKUP = "/orgs/_lookup/"


def values(client: Client, query: str) -> list[str]:
    response = client.get(f"{LOOKUP}?{query}")
    assert response.status_code == 200, response.content
    return re.findall(r'role="option"[^>]*data-value="([^"]*)"', response.content.decode())


@pytest.fixture
def closed(personas: Personas) -> Org:
    org = make_org("330106S09", "西湖区已撤销服务站", Org.Kind.STATION, personas.tree.county_a)
    Org.objects.filter(pk=org.pk).update(is_active=False)
    return org


def test_it_finds_active_orgs_in_scope_by_name_or_code(personas: Personas, closed: Org) -> None:
    client = login_client(personas.owner)
    assert values(client, "q=西湖") == ["330106", "330106U01"]
    assert values(client, "q=330106U") == ["330106U01"]
    assert values(client, "q=330106u01") == ["330106U01"]  # an exact code, in any case, is that org alone
    assert values(client, "q=鄞州") == []  # city B is outside the owner's scope
    assert values(login_client(personas.outsider), "q=鄞州") == ["330212"]


def test_it_narrows_to_where_the_user_may_act_and_widens_only_for_a_move(personas: Personas, closed: Org) -> None:
    client = login_client(personas.limited)  # a leader: may view, not add
    assert values(client, "q=西湖") == ["330106", "330106U01"]
    assert values(client, "q=西湖&for=registry.retiree&action=add") == []
    assert values(login_client(personas.owner), "q=西湖&for=registry.retiree&action=add") == ["330106", "330106U01"]
    assert values(client, "q=鄞州&scope=all") == ["330212"]
    assert "330106S09" not in values(client, "q=330106&scope=all")


def test_it_answers_ids_when_the_field_is_keyed_by_id(personas: Personas) -> None:
    assert values(login_client(personas.owner), "q=330106U01&key=pk") == [str(personas.tree.unit_a.pk)]


def test_it_refuses_unknown_models_and_users_without_a_role(personas: Personas) -> None:
    client = login_client(personas.owner)
    assert client.get(f"{LOOKUP}?q=西湖&for=nothing.here").status_code == 400
    assert client.get(f"{LOOKUP}?q=西湖&for=orgs.division").status_code == 400  # not a scoped model
    assert login_client(personas.norole).get(f"{LOOKUP}?q=西湖").status_code == 403
    assert login_client(personas.norole).get(f"{LOOKUP}?q=西湖&scope=all").status_code == 403


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-1", "1.5", "330212", "%"])
def test_it_gives_a_form_error_never_a_500_for_a_bad_parent(personas: Personas, value: str) -> None:
    client = login_client(personas.owner)
    response = client.post(
        "/orgs/add/", {"code": "330106S08", "name": "新站", "kind": "station", "parent": value, "is_active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not Org.objects.filter(code="330106S08").exists()


def test_it_takes_a_typed_parent_without_javascript(personas: Personas) -> None:
    client = login_client(personas.owner)
    response = client.post(
        "/orgs/add/",
        {
            "code": "330106S08",
            "name": "新站",
            "kind": "station",
            "parent": "",
            "parent__text": "330106",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Org.objects.get(code="330106S08").parent == personas.tree.county_a


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("under=330106", ["330106", "330106U01"]),
        ("under=&under__text=西湖区财政", ["330106U01"]),
        ("under=330212", []),  # outside the scope: not a choice
        ("under=abc", []),
    ],
)
def test_it_filters_the_org_list_under_a_chosen_org(personas: Personas, query: str, expected: list[str]) -> None:
    response = login_client(personas.owner).get(f"/orgs/?{query}")
    assert response.status_code == 200
    assert sorted(row.record.code for row in response.context["table"].rows) == expected


def test_it_filters_by_several_kinds(personas: Personas) -> None:
    response = login_client(personas.owner).get("/orgs/?kind=city_bureau&kind=county_bureau")
    assert sorted(row.record.code for row in response.context["table"].rows) == ["330100", "330106"]

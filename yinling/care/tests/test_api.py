"""The API contract: GET /api/v1/care/due/, POST and GET /api/v1/care/visits/ for every persona, refusals as
409 {"error", "message"}, bad input as 400 naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yinling.care.models import CampaignTarget, Visit
from yinling.care.services import campaigns
from yinling.care.tests.factories import campaign_at, person, plan_for, visit_to
from yinling.testing.permissions import api_client
from yinling.testing.personas import Cast

DUE = "/api/v1/care/due/"
VISITS = "/api/v1/care/visits/"


def body(cast: Cast, **extra: Any) -> dict[str, Any]:
    return {"retiree_id": cast.retiree_record.pk, "kind": "home", "visitors": "王科长", **extra}


DUE_ANSWERS = {
    "anonymous": (401, 403),
    "norole": (403,),
    "outsider": (200,),
    "clerk": (200,),
    "bureau_admin": (200,),
    "leader": (200,),
    "system_admin": (403,),
    "security_admin": (403,),
    "audit_admin": (403,),
    "retiree": (403,),
    "family": (403,),
}


@pytest.mark.parametrize(("persona", "answers"), DUE_ANSWERS.items())
def test_it_answers_the_due_list_for_every_persona(cast: Cast, persona: str, answers: tuple[int, ...]) -> None:
    plan_for(cast.bureau_admin, cast.retiree_record, "high", worker=cast.clerk)
    response = api_client(cast.user(persona)).get(DUE)
    assert response.status_code in answers
    if response.status_code == 200:
        names = [r["name"] for r in response.json()["results"]]
        assert ("张建国" in names) == (persona in ("clerk", "bureau_admin", "leader"))


def test_it_lists_the_workers_own_people_by_default(cast: Cast) -> None:
    plan_for(cast.bureau_admin, cast.retiree_record, "high", worker=cast.clerk)
    plan_for(cast.bureau_admin, cast.family_record, "high")
    data = api_client(cast.clerk).get(DUE).json()
    assert data["scope"] == "mine"
    assert {r["name"] for r in data["results"]} == {"张建国"}
    first = data["results"][0]
    assert set(first) >= {"plan_id", "retiree_id", "kind", "due_on", "overdue", "days_late", "risk", "worker"}
    every = api_client(cast.clerk).get(DUE + "?scope=all").json()
    assert {r["name"] for r in every["results"]} == {"张建国", "张秀英"}
    assert "id_number" not in str(every) and cast.retiree_record.phone not in str(every)


@pytest.mark.parametrize("query", ["?scope=everyone", "?days=abc", "?days=61", "?days=-1"])
def test_it_answers_400_to_a_bad_due_query(cast: Cast, query: str) -> None:
    response = api_client(cast.clerk).get(DUE + query)
    assert response.status_code == 400
    assert set(response.json()) <= {"scope", "days"}


POST_ANSWERS = {
    "anonymous": (401, 403),
    "norole": (403,),
    "outsider": (404,),
    "clerk": (201,),
    "bureau_admin": (201,),
    "leader": (403,),
    "system_admin": (403,),
    "security_admin": (403,),
    "audit_admin": (403,),
    "retiree": (403,),
    "family": (403,),
}


@pytest.mark.parametrize(("persona", "answers"), POST_ANSWERS.items())
def test_it_records_a_visit_only_for_staff_who_may(cast: Cast, persona: str, answers: tuple[int, ...]) -> None:
    response = api_client(cast.user(persona)).post(VISITS, body(cast), format="json")
    assert response.status_code in answers, response.content
    assert Visit.objects.unrestricted().exists() == (response.status_code == 201)
    if response.status_code == 201:
        data = response.json()
        assert data["visited_on"] == timezone.localdate().isoformat()
        assert data["next_due_on"] > data["visited_on"] or data["next_due_on"] == data["visited_on"]


def test_it_refuses_with_409_codes(cast: Cast) -> None:
    client = api_client(cast.clerk)
    assert client.post(VISITS, body(cast), format="json").status_code == 201
    again = client.post(VISITS, body(cast), format="json")
    assert again.status_code == 409 and again.json()["error"] == "duplicate" and again.json()["message"]
    gone = person(cast.tree.unit_a, "故人", status="deceased", deceased_on=dt.date(2020, 1, 1))
    refused = client.post(VISITS, body(cast, retiree_id=gone.pk), format="json")
    assert refused.status_code == 409 and refused.json()["error"] == "not_eligible"
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    late = client.post(VISITS, body(cast, kind="phone", visited_on=future), format="json")
    assert late.status_code == 409 and late.json()["error"] == "invalid"


def test_it_refuses_a_closed_campaigns_visit(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().get(campaign=campaign)
    campaigns.do_close_campaign(by=cast.bureau_admin, campaign=campaign)
    response = api_client(cast.clerk).post(
        VISITS, body(cast, retiree_id=lixiu.pk, campaign_target_id=target.pk), format="json"
    )
    assert response.status_code == 409 and response.json()["error"] == "closed"
    unknown = api_client(cast.clerk).post(VISITS, body(cast, campaign_target_id=99999999), format="json")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "teleport"}, "kind"),
        ({"visitors": ""}, "visitors"),
        ({"retiree_id": "abc"}, "retiree_id"),
        ({"retiree_id": 2**70}, "retiree_id"),
        ({"visited_on": "2026-13-45"}, "visited_on"),
        ({"visited_on": "0001-01-01"}, "visited_on"),
        ({"open_case": "perhaps"}, "open_case"),
    ],
)
def test_it_names_the_field_of_bad_input(cast: Cast, change: dict[str, Any], field: str) -> None:
    response = api_client(cast.clerk).post(VISITS, body(cast, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_lists_visits_in_scope_mine_and_the_retirees_own(cast: Cast) -> None:
    visit_to(cast.clerk, cast.retiree_record)
    visit_to(cast.bureau_admin, cast.family_record)
    names = lambda user, q="": {v["name"] for v in api_client(user).get(VISITS + q).json()["results"]}  # noqa: E731
    assert names(cast.clerk) == {"张建国", "张秀英"}
    assert names(cast.clerk, "?mine=1") == {"张建国"}
    assert names(cast.leader) == {"张建国", "张秀英"}
    assert names(cast.retiree) == {"张建国"}
    assert names(cast.family) == {"张秀英"}
    assert api_client(cast.outsider).get(VISITS).json()["results"] == []
    assert api_client(cast.norole).get(VISITS).status_code == 403
    own = Visit.objects.unrestricted().get(retiree=cast.retiree_record)
    assert api_client(cast.retiree).get(f"{VISITS}{own.pk}/").status_code == 200
    assert api_client(cast.family).get(f"{VISITS}{own.pk}/").status_code == 404
    assert api_client(cast.outsider).get(f"{VISITS}{own.pk}/").status_code == 404


def test_a_campaign_visit_needs_the_right_to_change_the_target(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page looks the target up with "change"; the API names it by id and the service asks the same."""
    from yinling.accounts import roles
    from yinling.testing.personas import make_user

    perms = roles.crud("care.visit", "view", "add") | roles.crud("care.campaigntarget", "view")
    perms |= roles.crud("care.careplan", "view")
    monkeypatch.setitem(roles.ROLES, "visitor_only", roles.Role("visitor_only", "visitor", perms, "", 999, False))
    visitor = make_user("visitor_only", cast.tree.city_a, "visitor_only")
    lixiu = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().get(campaign=campaign)
    response = api_client(visitor).post(
        VISITS, body(cast, retiree_id=lixiu.pk, campaign_target_id=target.pk), format="json"
    )
    assert response.status_code == 403
    assert not Visit.objects.unrestricted().filter(retiree=lixiu).exists()
    assert CampaignTarget.objects.unrestricted().get(pk=target.pk).done_on is None

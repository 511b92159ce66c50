"""Each activity page and endpoint, as every persona: 404 outside scope, 403 inside without the right."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yinling.testing.personas import PERSONAS, Cast, cast_clients
from yinling.volunteering.tests.factories_activities import activity, team, volunteer

pytestmark = pytest.mark.django_db

# persona → expected status; the activity lies in county A1 (city A's subtree), open to its area.
PAGES = {
    # the organiser's pages (staff by scope; a retiree who does not organise it gets 404)
    "manage": {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200,
               "leader": 200, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
               "retiree": 404, "family": 404},
    "code": {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200,
             "leader": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
             "retiree": 404, "family": 404},
    "edit": {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200,
             "leader": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
             "retiree": 404, "family": 404},
    "list": {"anonymous": 302, "norole": 403, "outsider": 200, "clerk": 200, "bureau_admin": 200,
             "leader": 200, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
             "retiree": 403, "family": 403},
    # a volunteer's own pages (retiree is a volunteer; family is not: the "register first" page)
    "member": {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 404, "bureau_admin": 404,
               "leader": 404, "system_admin": 404, "security_admin": 404, "audit_admin": 404,
               "retiree": 200, "family": 200},
    "honour": {"anonymous": 302, "norole": 403, "outsider": 200, "clerk": 403, "bureau_admin": 200,
               "leader": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
               "retiree": 403, "family": 403},
}  # fmt: skip

API = {
    "detail": {"anonymous": 401, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200,
               "leader": 200, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
               "retiree": 200, "family": 404},
    "code": {"anonymous": 401, "norole": 404, "outsider": 404, "clerk": 200, "bureau_admin": 200,
             "leader": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
             "retiree": 404, "family": 404},
}  # fmt: skip


@pytest.fixture
def scene(cast: Cast):  # type: ignore[no-untyped-def]
    volunteer(cast.tree.unit_a, record=cast.retiree_record)
    act = activity(cast.tree.county_a)
    return cast, act, cast_clients(cast)


def _urls(pk: int) -> dict[str, str]:
    return {
        "manage": f"/volunteering/organise/activities/{pk}/",
        "code": f"/volunteering/organise/activities/{pk}/code/",
        "edit": f"/volunteering/organise/activities/{pk}/edit/",
        "list": "/volunteering/organise/activities/",
        "member": "/volunteering/activities/",
        "honour": "/volunteering/organise/activities/honour-hours/",
    }


@pytest.mark.parametrize("page", list(PAGES))
def test_it_answers_each_persona_on_each_page(scene, page: str) -> None:  # type: ignore[no-untyped-def]
    _cast, act, clients = scene
    url = _urls(act.pk)[page]
    got = {name: clients[name].get(url).status_code for name in PERSONAS}
    assert got == PAGES[page]


@pytest.mark.parametrize("endpoint", list(API))
def test_it_answers_each_persona_in_the_api(scene, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    cast, act, _clients = scene
    url = f"/api/v1/volunteering/activities/{act.pk}/" + ("code/" if endpoint == "code" else "")
    got = {}
    for name in PERSONAS:
        client = APIClient()
        user = cast.user(name)
        if user is not None:
            client.force_authenticate(user)
        got[name] = client.get(url).status_code
    assert got == API[endpoint]


def test_it_lets_a_team_leader_organise_their_team_only(cast: Cast) -> None:
    leader = volunteer(cast.tree.county_a)
    squad = team(cast.tree.county_a, leader=leader)
    ours = activity(cast.tree.county_a, team=squad, open_to="team")
    theirs = activity(cast.tree.county_a, team=team(cast.tree.county_a, "别队"), open_to="team")
    client = APIClient()
    client.force_authenticate(leader.retiree.account)
    assert client.get(f"/api/v1/volunteering/activities/{ours.pk}/code/").status_code == 200
    assert client.get(f"/api/v1/volunteering/activities/{theirs.pk}/code/").status_code == 404
    made = client.post(
        "/api/v1/volunteering/activities/",
        {"title": "助老", "org": "330106", "team": squad.pk, "kind": "care", "place": "社区",
         "start": "2099-01-01T09:00:00+08:00", "end": "2099-01-01T11:00:00+08:00", "capacity": 5, "open_to": "team"},
        format="json",
    )  # fmt: skip
    assert made.status_code == 201 and isinstance(made.json()["id"], int)
    other = client.post(
        "/api/v1/volunteering/activities/",
        {"title": "助老", "org": "330212", "kind": "care", "place": "社区",
         "start": "2099-01-01T09:00:00+08:00", "end": "2099-01-01T11:00:00+08:00", "capacity": 5, "open_to": "scope"},
        format="json",
    )  # fmt: skip
    assert other.status_code == 400 and list(other.json()) == ["org"]  # not theirs: as if there were no such org


def test_it_lists_with_the_filters_in_the_api(cast: Cast) -> None:
    a = activity(cast.tree.county_a)
    activity(cast.tree.county_b)
    client = APIClient()
    client.force_authenticate(cast.bureau_admin)
    rows = client.get("/api/v1/volunteering/activities/?org=330106&open=1").json()["results"]
    assert [r["id"] for r in rows] == [a.pk]
    assert client.get("/api/v1/volunteering/activities/?org=330212").json()["results"] == []
    day = timezone.localdate(a.start).isoformat()  # the filters read dates in Asia/Shanghai, not UTC
    assert len(client.get(f"/api/v1/volunteering/activities/?from={day}&to={day}").json()["results"]) == 1


# Sign-up posted as each persona, naming nobody: a volunteer signs up, a non-volunteer is told why, staff who
# name no retiree act for nobody (404).
SIGNUP = {"anonymous": 401, "norole": 404, "outsider": 404, "clerk": 404, "bureau_admin": 404, "leader": 404,
          "system_admin": 404, "security_admin": 404, "audit_admin": 404, "retiree": 201, "family": 409}  # fmt: skip
# Staff naming the volunteer (代办): the right to add sign-ups at the retiree's org decides.
SIGNUP_FOR = {"norole": 404, "outsider": 404, "clerk": 201, "bureau_admin": 201, "leader": 403,
              "system_admin": 403, "security_admin": 403, "audit_admin": 403}  # fmt: skip


def test_it_answers_each_persona_signing_up(scene) -> None:  # type: ignore[no-untyped-def]
    cast, _act, _clients = scene
    got = {}
    for name in PERSONAS:
        act = activity(cast.tree.county_a)
        client = APIClient()
        user = cast.user(name)
        if user is not None:
            client.force_authenticate(user)
        got[name] = client.post(f"/api/v1/volunteering/activities/{act.pk}/signup/", {}, format="json").status_code
    assert got == SIGNUP


def test_it_answers_each_staff_persona_signing_up_a_volunteer(scene) -> None:  # type: ignore[no-untyped-def]
    cast, _act, _clients = scene
    got = {}
    for name in SIGNUP_FOR:
        act = activity(cast.tree.county_a)
        client = APIClient()
        client.force_authenticate(cast.user(name))
        body = {"retiree": cast.retiree_record.pk}
        got[name] = client.post(f"/api/v1/volunteering/activities/{act.pk}/signup/", body, format="json").status_code
    assert got == SIGNUP_FOR


def test_it_keeps_a_leader_from_moving_an_activity_to_another_team(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    from yinling.volunteering.services import activities as svc

    leader = volunteer(cast.tree.county_a)
    ours = team(cast.tree.county_a, leader=leader)
    theirs = team(cast.tree.county_a, "别队")
    act = activity(cast.tree.county_a, team=ours, open_to="team")
    svc.do_update_activity(by=leader.retiree.account, activity=act, title="改名")
    with pytest.raises(PermissionDenied):
        svc.do_update_activity(by=leader.retiree.account, activity=act, team=theirs)
    with pytest.raises(PermissionDenied):  # nor edit another team's activity
        svc.do_update_activity(by=leader.retiree.account, activity=activity(cast.tree.county_a, team=theirs), title="x")
    svc.do_update_activity(by=cast.clerk, activity=act, team=theirs)  # staff in scope may

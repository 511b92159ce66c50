"""Held-out style attacks on the volunteering actions: every persona on the actions whose answers were
inconsistent (404 outside the scope, 403 inside it without the right, the 三员 never changing business data),
and the API agreeing with the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yinling.testing.personas import PERSONAS, Cast, cast_clients
from yinling.volunteering.models import Attendance, Flag, Membership, Story
from yinling.volunteering.tests.factories_activities import activity
from yinling.volunteering.tests.people_factories import walk_objects

pytestmark = pytest.mark.django_db

ADMINS = ("system_admin", "security_admin", "audit_admin")


def api_client(cast: Cast, name: str) -> APIClient:
    client = APIClient()
    user = cast.user(name)
    if user is not None:
        client.force_authenticate(user)
    return client


# A join request waiting in county A1's team (the retiree leads it): staff outside → 404, staff inside
# without change_membership → 403, the leader and staff who may → done.
DECIDE = {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 302, "bureau_admin": 302, "leader": 403,
          "system_admin": 403, "security_admin": 403, "audit_admin": 403, "retiree": 302, "family": 404}  # fmt: skip


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_it_answers_each_persona_deciding_a_join_request(cast: Cast, decision: str) -> None:
    objects = walk_objects(cast)
    membership = objects["membership"]
    clients = cast_clients(cast)
    got = {}
    for name in PERSONAS:
        Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.PENDING)
        got[name] = clients[name].post(f"/volunteering/memberships/{membership.pk}/{decision}/").status_code
    assert got == DECIDE


# An open flag on an activity of county A1's team: a leader role that only views gets 403 before any form
# is read; the 三员 403; a retiree who does not lead the team 404.
RESOLVE = {"anonymous": 302, "norole": 404, "outsider": 404, "clerk": 302, "bureau_admin": 302, "leader": 403,
           "system_admin": 403, "security_admin": 403, "audit_admin": 403, "retiree": 302, "family": 404}  # fmt: skip


def test_it_answers_each_persona_resolving_a_flag(cast: Cast) -> None:
    objects = walk_objects(cast)
    act = activity(cast.tree.county_a, team=objects["team"])
    attendance = Attendance.objects.create(activity=act, volunteer=objects["volunteer"], checked_in_at=timezone.now())
    flag = Flag.objects.create(activity=act, volunteer=objects["volunteer"], attendance=attendance, kind="overlap")
    clients = cast_clients(cast)
    url = f"/volunteering/organise/activities/flags/{flag.pk}/resolve/"
    got = {}
    for name in PERSONAS:
        Flag.objects.filter(pk=flag.pk).update(status=Flag.Status.OPEN)
        got[name] = clients[name].post(url, {"decision": "nonsense"}).status_code
    assert got == RESOLVE
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


def test_it_forbids_adding_members_to_a_role_that_only_views(cast: Cast) -> None:
    objects = walk_objects(cast)
    url = f"/volunteering/teams/{objects['team'].pk}/members/"
    clients = cast_clients(cast)
    got = {name: clients[name].post(url, {}).status_code for name in ("leader", *ADMINS, "outsider", "clerk")}
    assert got == {"leader": 403, "system_admin": 403, "security_admin": 403, "audit_admin": 403,
                   "outsider": 404, "clerk": 302}  # fmt: skip


def test_it_keeps_the_three_administrators_from_writing_stories(cast: Cast) -> None:
    clients = cast_clients(cast)
    for name in ADMINS:
        assert clients[name].get("/volunteering/stories/new/").status_code == 403, name
        response = clients[name].post("/volunteering/stories/new/", {"title": "题目", "body": "内容"})
        assert response.status_code == 403, name
    assert not Story.objects.exists()
    assert clients["norole"].post("/volunteering/stories/new/", {"title": "题目", "body": "内容"}).status_code == 302


@pytest.mark.parametrize("action", ["checkin", "checkout"])
def test_it_answers_staff_checking_in_themselves_as_the_page_does(cast: Cast, action: str) -> None:
    """Check-in and check-out are a volunteer's own: staff get 404 on the page and on the API alike."""
    act = activity(cast.tree.county_a)
    clients = cast_clients(cast)
    body: dict[str, Any] = {"code": "123456"}
    for name in ("clerk", "bureau_admin", "leader", "norole", "outsider", *ADMINS):
        page = clients[name].post(f"/volunteering/activities/{act.pk}/{action}/", body).status_code
        api = api_client(cast, name).post(f"/api/v1/volunteering/activities/{act.pk}/{action}/", body, format="json")
        assert (page, api.status_code) == (404, 404), name


def test_it_answers_an_org_outside_the_scope_as_no_such_org_in_the_api(cast: Cast) -> None:
    """The page offers only the orgs where one may add; the API names one outside them as it names a
    code that does not exist (400 on the field), so it cannot probe the tree."""
    body = {"title": "助老", "place": "社区", "start": "2099-01-01T09:00:00+08:00", "end": "2099-01-01T11:00:00+08:00"}
    client = api_client(cast, "outsider")
    theirs = client.post("/api/v1/volunteering/activities/", {**body, "org": "330106"}, format="json")
    none = client.post("/api/v1/volunteering/activities/", {**body, "org": "999999"}, format="json")
    assert theirs.status_code == none.status_code == 400
    assert theirs.json() == none.json() and "org" in theirs.json()
    page = cast_clients(cast)["outsider"].post(
        "/volunteering/organise/activities/add/", {**body, "org": cast.tree.county_a.pk}
    )
    assert page.status_code == 200 and "org" in page.context["form"].errors
    for name in ("leader", *ADMINS, "retiree", "norole"):  # no right to add anywhere: 403, as the page
        got = api_client(cast, name).post("/api/v1/volunteering/activities/", {**body, "org": "330106"}, format="json")
        assert got.status_code == 403, name
    assert (
        api_client(cast, "clerk")
        .post("/api/v1/volunteering/activities/", {**body, "org": "330106"}, format="json")
        .status_code
        == 201
    )


def test_it_shows_a_team_s_members_only_to_its_members_not_to_a_pending_request(cast: Cast) -> None:
    objects = walk_objects(cast)  # family asked to join the retiree's team and waits
    leader_name = objects["volunteer"].retiree.name
    body = cast_clients(cast)["family"].get(f"/volunteering/me/teams/{objects['team'].pk}/").content.decode()
    assert leader_name not in body
    membership = objects["membership"]
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.ACTIVE)
    body = cast_clients(cast)["family"].get(f"/volunteering/me/teams/{objects['team'].pk}/").content.decode()
    assert leader_name in body

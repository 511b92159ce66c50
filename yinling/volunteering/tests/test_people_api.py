"""The people half's API contract: POST volunteers/ (201, 409 duplicate, staff scope 404/403, no oracle for a
retiree naming another id), GET me/ (hours as decimal strings), the scoped lists."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from yinling.testing.personas import Cast
from yinling.volunteering.models import Membership, Volunteer
from yinling.volunteering.tests.people_factories import H, at, member, person, served, team, volunteer

pytestmark = pytest.mark.django_db
URL = "/api/v1/volunteering/volunteers/"


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        from yinling.testing.permissions import login_client

        client.cookies = login_client(user).cookies  # the session, past two-factor sign-in where needed
    return client


def test_it_registers_a_retiree_themselves(cast: Cast) -> None:
    response = api(cast.retiree).post(URL, {"skills": ["policy", "care"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["retiree_id"] == cast.retiree_record.pk and body["skills"] == ["policy", "care"]
    assert body["credited_hours"] == "0.00" and body["stars"] == 0
    again = api(cast.retiree).post(URL, {"skills": []}, format="json")
    assert again.status_code == 409 and again.json()["error"] == "duplicate" and again.json()["message"]
    own_id = api(cast.retiree).post(URL, {"retiree_id": cast.retiree_record.pk}, format="json")
    assert own_id.status_code == 409 and own_id.json()["error"] == "duplicate"


def test_it_gives_a_retiree_naming_another_id_one_answer_whatever_the_id(cast: Cast) -> None:
    stranger = person(cast.tree.county_b)
    deleted = person(cast.tree.unit_a, is_deleted=True)
    answers = set()
    for named in (cast.family_record.pk, stranger.pk, deleted.pk, 99_999_999):
        response = api(cast.retiree).post(URL, {"retiree_id": named, "skills": []}, format="json")
        answers.add((response.status_code, response.content))
    assert len(answers) == 1
    ((status, content),) = answers
    assert status == 409 and b'"not_eligible"' in content
    assert not Volunteer.objects.exists()


def test_it_lets_staff_register_in_their_scope_only(cast: Cast) -> None:
    inside, outside = person(cast.tree.unit_a), person(cast.tree.county_b)
    assert api(cast.clerk).post(URL, {"retiree_id": outside.pk}, format="json").status_code == 404
    assert api(cast.clerk).post(URL, {"retiree_id": 99_999_999}, format="json").status_code == 404
    assert api(cast.leader).post(URL, {"retiree_id": inside.pk}, format="json").status_code == 403
    assert api(cast.clerk).post(URL, {"skills": []}, format="json").status_code == 400  # staff must name someone
    response = api(cast.clerk).post(URL, {"retiree_id": inside.pk, "skills": ["legal"]}, format="json")
    assert response.status_code == 201 and response.json()["retiree_id"] == inside.pk
    again = api(cast.bureau_admin).post(URL, {"retiree_id": inside.pk}, format="json")
    assert again.status_code == 409 and again.json()["error"] == "duplicate"
    assert api(None).post(URL, {"retiree_id": inside.pk}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("payload", [{"skills": ["juggling"]}, {"skills": "policy"}, {"retiree_id": "abc"}])
def test_it_answers_bad_input_with_400(cast: Cast, payload: dict) -> None:
    assert api(cast.retiree).post(URL, payload, format="json").status_code == 400


def test_it_answers_me_with_hours_as_decimal_strings(cast: Cast) -> None:
    me = api(cast.retiree).get("/api/v1/volunteering/me/")
    assert me.status_code == 409 and me.json()["error"] == "not_volunteer"
    v = Volunteer.objects.create(retiree=cast.retiree_record)
    t = team(cast.tree.county_a, "西湖区银龄志愿服务队")
    member(t, v, Membership.Role.LEADER)
    served(v, cast.tree.unit_a, at(2025, 3, 1), 2.5)
    body = api(cast.retiree).get("/api/v1/volunteering/me/").json()
    assert body == {
        "retiree_id": cast.retiree_record.pk,
        "credited_hours": "2.50",
        "honour_hours": "0.00",
        "stars": 0,
        "teams": [{"id": t.pk, "name": "西湖区银龄志愿服务队", "role": "leader", "status": "active"}],
    }
    assert api(cast.clerk).get("/api/v1/volunteering/me/").status_code == 403
    assert H(body["credited_hours"]) == v.credited_hours


def test_it_lists_volunteers_and_teams_in_scope(cast: Cast) -> None:
    own, other = volunteer(cast.tree.unit_a, name="本区人"), volunteer(cast.tree.county_b, name="外区人")
    team(cast.tree.county_a, "本区队"), team(cast.tree.county_b, "外区队")
    body = api(cast.clerk).get(URL).content.decode()
    assert "本区人" in body and "外区人" not in body and own.retiree.id_masked not in body
    assert api(cast.clerk).get(f"{URL}{other.pk}/").status_code == 404
    assert api(cast.retiree).get(URL).status_code == 403
    teams = api(cast.leader).get("/api/v1/volunteering/teams/").content.decode()
    assert "本区队" in teams and "外区队" not in teams
    filtered = api(cast.bureau_admin).get(URL, {"skill": "care"}).json()
    assert filtered["count"] == 0 if isinstance(filtered, dict) else filtered == []

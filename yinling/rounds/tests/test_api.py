"""/api/v1/care/rounds/: the contract, every persona on every endpoint, the refusals and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from yinling.rounds.models import Round, RoundEntry
from yinling.rounds.services import do_close_round
from yinling.rounds.tests.factories import entry_of, open_round, person
from yinling.testing.personas import PERSONAS, Cast, cast_clients

pytestmark = pytest.mark.django_db

API = "/api/v1/care/rounds/"


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def world(cast: Cast) -> tuple[Cast, Round, dict[str, Client]]:
    return cast, open_round(cast), cast_clients(cast)


def test_it_opens_a_round_and_answers_the_counts_as_the_contract_says(cast: Cast) -> None:
    client = cast_clients(cast)["bureau_admin"]
    opened = post(client, API, {"org": cast.tree.county_a.code, "title": "暴雨平安报"})
    assert opened.status_code == 201, opened.content
    rid = opened.json()["id"]
    assert opened.json()["status"] == "open" and opened.json()["total"] == 2
    answer = post(
        client, f"{API}{rid}/entries/", {"retiree_id": cast.retiree_record.pk, "status": "needs_help", "needs": "送水"}
    )
    assert answer.status_code == 200 and answer.json()["status"] == "needs_help" and answer.json()["version"] == 1
    got = client.get(f"{API}{rid}/").json()
    assert got["total"] == 2 and got["not_reached"] == 1
    assert got["by_status"] == {"not_reached": 1, "safe": 0, "needs_help": 1, "unreachable": 0}
    people = client.get(f"{API}{rid}/people/").json()
    assert [p["retiree_id"] for p in people["results"]] == [cast.family_record.pk]
    helped = client.get(f"{API}{rid}/people/?status=needs_help").json()["results"]
    assert helped[0]["needs"] == "送水"
    assert client.get(f"{API}{rid}/people/?status=bogus").status_code == 400
    closed = post(client, f"{API}{rid}/close/", {"report": "结束"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["report"] == "结束"


# persona -> (list, retrieve, people, open, entry for the retiree, close)
ANSWERS: dict[str, tuple[int, ...]] = {
    "anonymous": (401, 401, 401, 401, 401, 401),
    "norole": (403, 404, 404, 403, 403, 404),
    "outsider": (200, 404, 404, 404, 404, 404),
    "clerk": (200, 200, 200, 403, 200, 403),
    "bureau_admin": (200, 200, 200, 201, 200, 200),
    "leader": (200, 200, 200, 403, 403, 403),
    "system_admin": (403, 403, 403, 403, 403, 403),
    "security_admin": (403, 403, 403, 403, 403, 403),
    "audit_admin": (403, 403, 403, 403, 403, 403),
    "retiree": (403, 404, 404, 403, 200, 404),
    "family": (403, 404, 404, 403, 200, 404),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_every_endpoint_by_the_scope_rule(world: Any, persona: str) -> None:
    cast, found, clients = world
    client = clients[persona]
    rid = found.pk
    got = (
        client.get(API).status_code,
        client.get(f"{API}{rid}/").status_code,
        client.get(f"{API}{rid}/people/").status_code,
        post(client, API, {"org": cast.tree.county_a.code, "title": "暴雨"}).status_code,
        post(client, f"{API}{rid}/entries/", {"retiree_id": cast.retiree_record.pk, "status": "safe"}).status_code,
        post(client, f"{API}{rid}/close/", {}).status_code,
    )
    assert got == ANSWERS[persona]


def test_it_answers_the_refusals_with_their_codes(world: Any) -> None:
    cast, found, clients = world
    admin = clients["bureau_admin"]
    again = post(admin, API, {"org": cast.tree.city_a.code, "title": "再开"})
    assert again.status_code == 409 and again.json()["error"] == "duplicate" and again.json()["message"]
    entries = f"{API}{found.pk}/entries/"
    first = post(admin, entries, {"retiree_id": cast.retiree_record.pk, "status": "safe", "version": 0})
    assert first.status_code == 200
    stale = post(admin, entries, {"retiree_id": cast.retiree_record.pk, "status": "unreachable", "version": 0})
    assert stale.status_code == 409 and stale.json()["error"] == "stale"
    # A person of the admin's scope who joined the registry after the round opened: not in it.
    late = person(cast.tree.county_a, "新登记", 9)
    assert post(admin, entries, {"retiree_id": late.pk, "status": "safe"}).json()["error"] == "not_eligible"
    do_close_round(by=cast.bureau_admin, round_=found)
    closed = post(admin, entries, {"retiree_id": cast.family_record.pk, "status": "safe"})
    assert closed.status_code == 409 and closed.json()["error"] == "closed"
    member = post(clients["retiree"], entries, {"retiree_id": cast.retiree_record.pk, "status": "safe"})
    assert member.status_code == 409 and member.json()["error"] == "closed"
    assert post(admin, f"{API}{found.pk}/close/", {}).json()["error"] == "closed"


def test_it_gives_a_retiree_the_same_answer_for_a_stranger_and_an_id_that_does_not_exist(world: Any) -> None:
    cast, found, clients = world
    stranger = person(cast.tree.county_a, "陌生人", 11)
    entries = f"{API}{found.pk}/entries/"
    # The stranger joined after opening: put them in the round to be sure the refusal is not "not in it".
    RoundEntry.objects.create(round=found, retiree=stranger, org=stranger.org)
    a = post(clients["retiree"], entries, {"retiree_id": stranger.pk, "status": "safe"})
    b = post(clients["retiree"], entries, {"retiree_id": 987654321, "status": "safe"})
    assert a.status_code == b.status_code == 409 and a.json() == b.json()
    assert entry_of(found, stranger).version == 0
    # The daughter answers for her father.
    ok = post(clients["family"], entries, {"retiree_id": cast.retiree_record.pk, "status": "needs_help", "needs": "药"})
    assert ok.status_code == 200 and ok.json()["source"] == "family"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"retiree_id": "abc", "status": "safe"},
        {"retiree_id": -1, "status": "safe"},
        {"retiree_id": 10**30, "status": "safe"},
        {"retiree_id": 1, "status": "not_reached"},
        {"retiree_id": 1, "status": "needs_help"},
        {"retiree_id": 1, "status": "needs_help", "needs": "x" * 1001},
        {"retiree_id": 1, "status": "safe", "source": "telepathy"},
        {"retiree_id": 1, "status": "safe", "version": "new"},
        ["not", "an", "object"],
    ],
)
def test_it_answers_bad_entry_input_with_400_naming_the_field(world: Any, body: Any) -> None:
    _cast, found, clients = world
    answer = post(clients["clerk"], f"{API}{found.pk}/entries/", body)
    assert answer.status_code == 400, answer.content
    if isinstance(body, dict) and body:
        bad = next(iter(answer.json()))
        assert bad in body or bad == "needs"


@pytest.mark.parametrize("body", [{}, {"org": "", "title": "x"}, {"org": "330106", "title": ""}, {"org": "x" * 40}])
def test_it_answers_bad_open_input_with_400_and_an_unknown_org_with_404(world: Any, body: Any) -> None:
    cast, _found, clients = world
    assert post(clients["bureau_admin"], API, body).status_code == 400
    assert post(clients["bureau_admin"], API, {"org": "NOPE", "title": "x"}).status_code == 404
    assert post(clients["bureau_admin"], API, {"org": cast.tree.county_b.code, "title": "x"}).status_code == 404

"""/api/v1/notifications/: the caller's inbox only; read and read-all; another's id is 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from yinling.notifications.models import Notification
from yinling.notifications.services import notify
from yinling.testing.permissions import api_client as api
from yinling.testing.personas import PERSONAS, Cast

pytestmark = pytest.mark.django_db



def test_it_lists_the_callers_inbox_with_the_contract_fields(cast: Cast) -> None:
    read = notify(cast.clerk, "timebank.paid", "第一条", "/timebank/")[0]
    notify(cast.clerk, "timebank.taken_on", "第二条")
    notify(cast.leader, "k", "别人的")
    api(cast.clerk).post(f"/api/v1/notifications/{read.pk}/read/")
    body = api(cast.clerk).get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert [r["text"] for r in body["results"]] == ["第二条", "第一条"]
    first = body["results"][1]
    assert set(first) == {"id", "kind", "text", "link", "on_behalf_of", "created_at", "read_at", "is_read"}
    assert (first["kind"], first["link"], first["is_read"]) == ("timebank.paid", "/timebank/", True)


@pytest.mark.parametrize(("query", "texts"), [("?unread=1", ["二"]), ("?unread=true", ["二"]), ("", ["二", "一"])])
def test_it_filters_the_unread(cast: Cast, query: str, texts: list[str]) -> None:
    first = notify(cast.clerk, "k", "一")[0]
    notify(cast.clerk, "k", "二")
    api(cast.clerk).post(f"/api/v1/notifications/{first.pk}/read/")
    body = api(cast.clerk).get(f"/api/v1/notifications/{query}").json()
    assert [r["text"] for r in body["results"]] == texts


def test_it_marks_one_read(cast: Cast) -> None:
    mine = notify(cast.retiree, "k", "x")[0]
    answer = api(cast.retiree).post(f"/api/v1/notifications/{mine.pk}/read/")
    assert answer.status_code == 200
    assert answer.json()["is_read"] is True and answer.json()["id"] == mine.pk
    # Again: still read, same answer.
    assert (
        api(cast.retiree).post(f"/api/v1/notifications/{mine.pk}/read/").json()["read_at"] == answer.json()["read_at"]
    )


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "retiree")])
def test_it_answers_404_for_anothers_notification(cast: Cast, persona: str) -> None:
    theirs = notify(cast.retiree, "k", "x")[0]
    client = api(cast.user(persona))
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/api/v1/notifications/999999999/read/").status_code == 404
    assert theirs.pk not in [r["id"] for r in client.get("/api/v1/notifications/").json()["results"]]
    client.post("/api/v1/notifications/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_all_read_and_says_how_many(cast: Cast) -> None:
    for i in range(3):
        notify(cast.retiree, "k", str(i))
    assert api(cast.retiree).post("/api/v1/notifications/read-all/").json() == {"marked": 3}
    assert api(cast.retiree).post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    assert Notification.objects.unrestricted().filter(recipient=cast.family, read_at__isnull=True).count() == 3


def test_it_wants_a_signed_in_caller(cast: Cast) -> None:
    mine = notify(cast.retiree, "k", "x")[0]
    client = APIClient()
    assert client.get("/api/v1/notifications/").status_code == 401
    assert client.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 401
    assert client.post("/api/v1/notifications/read-all/").status_code == 401


def test_it_has_no_other_methods(cast: Cast) -> None:
    mine = notify(cast.retiree, "k", "x")[0]
    client = api(cast.retiree)
    assert client.post("/api/v1/notifications/", {"text": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/notifications/{mine.pk}/read/").status_code == 405
    assert client.get(f"/api/v1/notifications/{mine.pk}/read/").status_code == 405

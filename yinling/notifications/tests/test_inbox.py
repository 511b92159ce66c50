"""The inbox page, its buttons and the bell: one's own notifications only, POST forms, every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yinling.notifications.models import Notification
from yinling.notifications.services import notify
from yinling.testing.permissions import login_client
from yinling.testing.personas import PERSONAS, Cast, cast_clients

pytestmark = pytest.mark.django_db


def unread(user: Any) -> int:
    return Notification.objects.unrestricted().filter(recipient=user, read_at__isnull=True).count()


def test_it_lists_ones_own_newest_first_with_unread_marked(cast: Cast) -> None:
    first = notify(cast.clerk, "k", "第一条", "/timebank/")[0]
    notify(cast.clerk, "k", "第二条")
    notify(cast.leader, "k", "别人的")
    Notification.objects.unrestricted().filter(pk=first.pk).update(read_at=timezone.now())
    page = login_client(cast.clerk).get("/notifications/").content.decode()
    assert page.index("第二条") < page.index("第一条")
    assert "别人的" not in page
    assert page.count("yl-unread") == 1
    assert f'href="/notifications/{first.pk}/"' in page


def test_it_shows_the_unread_count_in_the_bell_with_one_query(cast: Cast) -> None:
    for i in range(3):
        notify(cast.clerk, "k", f"第{i}条")
    client = login_client(cast.clerk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/accounts/me/").content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()
    assert 'id="yl-bell"' in page
    assert ">3</span>" in page


def test_it_shows_no_bell_to_anonymous_visitors(client: Client) -> None:
    assert 'id="yl-bell"' not in client.get("/accounts/login/").content.decode()


def test_it_marks_one_read_and_returns_to_the_inbox(cast: Cast) -> None:
    mine = notify(cast.clerk, "k", "x")[0]
    other = notify(cast.clerk, "k", "y")[0]
    answer = login_client(cast.clerk).post(f"/notifications/{mine.pk}/read/", {"next": "/notifications/?page=1"})
    assert (answer.status_code, answer["Location"]) == (302, "/notifications/?page=1")
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/timebank/", "javascript:x"])
def test_it_returns_only_to_an_inbox_page(cast: Cast, next_url: str) -> None:
    mine = notify(cast.clerk, "k", "x")[0]
    answer = login_client(cast.clerk).post(f"/notifications/{mine.pk}/read/", {"next": next_url})
    assert answer["Location"] == "/notifications/"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "retiree")])
def test_it_refuses_anothers_notification_to_every_persona(cast: Cast, persona: str) -> None:
    theirs = notify(cast.retiree, "k", "张建国的通知", "/timebank/")[0]
    client = login_client(cast.user(persona))
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    inbox = client.get("/notifications/").content.decode()
    # The family member has a copy of their own (代办), never the retiree's row.
    assert ("张建国的通知" in inbox) == (persona == "family")
    assert f"/notifications/{theirs.pk}/" not in inbox
    client.post("/notifications/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_sends_anonymous_visitors_to_sign_in(cast: Cast, client: Client) -> None:
    theirs = notify(cast.retiree, "k", "x")[0]
    for method, url in (
        ("get", "/notifications/"),
        ("get", f"/notifications/{theirs.pk}/"),
        ("post", f"/notifications/{theirs.pk}/read/"),
        ("post", "/notifications/read-all/"),
        ("post", "/notifications/preferences/"),
    ):
        answer = getattr(client, method)(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"), url
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_refuses_get_on_the_buttons(cast: Cast) -> None:
    mine = notify(cast.clerk, "k", "x")[0]
    client = login_client(cast.clerk)
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_it_needs_the_csrf_token(cast: Cast) -> None:
    mine = notify(cast.clerk, "k", "x")[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.clerk)
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


def test_it_marks_all_of_ones_own_read_and_no_one_elses(cast: Cast) -> None:
    for i in range(3):
        notify(cast.retiree, "k", f"第{i}条")  # the family member gets copies of their own
    client = login_client(cast.retiree)
    assert client.post("/notifications/read-all/").status_code == 302
    assert unread(cast.retiree) == 0
    assert unread(cast.family) == 3


def test_it_opens_the_target_and_marks_it_read(cast: Cast) -> None:
    mine = notify(cast.retiree, "k", "x", "/timebank/")[0]
    answer = login_client(cast.retiree).get(f"/notifications/{mine.pk}/")
    assert (answer.status_code, answer["Location"]) == (302, "/timebank/")
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_it_opens_the_inbox_for_a_notification_without_a_link_or_with_a_bad_one(cast: Cast) -> None:
    plain = notify(cast.retiree, "k", "x")[0]
    # Written past notify() (a bad row in the database): the redirect still stays on this site.
    bad = Notification.objects.create(recipient=cast.retiree, kind="k", text="y", link="//evil.example/")
    client = login_client(cast.retiree)
    assert client.get(f"/notifications/{plain.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{bad.pk}/")["Location"] == "/notifications/"


def test_it_shows_a_daiban_copy_with_whose_it_is(cast: Cast) -> None:
    notify(cast.retiree, "k", "服务已确认")
    page = login_client(cast.family).get("/notifications/").content.decode()
    assert cast.retiree_record.name in page and "服务已确认" in page


def test_it_pages_a_long_inbox(cast: Cast) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=cast.clerk, kind="k", text=f"条目{i:02d}") for i in range(45)
    )
    client = login_client(cast.clerk)
    assert client.get("/notifications/").content.decode().count("yl-note-text") == 20
    assert client.get("/notifications/?page=3").content.decode().count("yl-note-text") == 5
    assert client.get("/notifications/?page=junk").status_code == 200


def test_it_saves_ones_channel_choice_from_the_account_page(cast: Cast) -> None:
    clients = cast_clients(cast)
    page = clients["retiree"].get("/accounts/me/").content.decode()
    assert 'action="/notifications/preferences/"' in page
    assert 'name="notify-sms"' in page and 'name="notify-email"' not in page
    staff_page = clients["clerk"].get("/accounts/me/").content.decode()
    assert 'name="notify-email"' in staff_page and 'name="notify-sms"' not in staff_page
    answer = clients["retiree"].post("/notifications/preferences/", {})  # the box unticked
    assert answer.status_code == 302
    from yinling.notifications.selectors import preference_of

    assert (preference_of(cast.retiree).sms, preference_of(cast.retiree).email) == (False, True)
    clients["retiree"].post("/notifications/preferences/", {"notify-sms": "on", "notify-email": ""})
    assert (preference_of(cast.retiree).sms, preference_of(cast.retiree).email) == (True, True)
    clients["clerk"].post("/notifications/preferences/", {"notify-email": "junk", "notify-sms": ""})
    assert (preference_of(cast.clerk).sms, preference_of(cast.clerk).email) == (True, True)

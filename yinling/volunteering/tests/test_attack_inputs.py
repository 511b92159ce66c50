"""Messy real-world input on the volunteering forms and API: dates and hours as Chinese offices write them,
junk and huge ids. Never a 500; a value that cannot be read is an error on the field it names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast
from yinling.volunteering.models import Activity, HonourHours, PairingVisit
from yinling.volunteering.tests.factories_activities import activity, volunteer
from yinling.volunteering.tests.people_factories import walk_objects

pytestmark = pytest.mark.django_db
HUGE = str(2**70)
NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Asia/Shanghai


@pytest.mark.parametrize(
    ("served_on", "hours"),
    [
        ("2026年6月1日", "1。5"),
        ("2026.6.1", "１.５"),
        ("2026/6/1", "1.5小时"),
        ("２０２６年６月１日", "１．５"),
        ("2026-06-01", "1.5 h"),
    ],
)
def test_it_reads_honour_hours_as_offices_write_them(cast: Cast, served_on: str, hours: str) -> None:
    volunteer(cast.tree.unit_a, record=cast.retiree_record)
    with time_machine.travel(NOON, tick=False):
        response = login_client(cast.bureau_admin).post(
            "/volunteering/organise/activities/honour-hours/",
            {"person": cast.retiree_record.pk, "hours_added": hours, "served_on": served_on, "reason": "抗疫值守"},
        )
    assert response.status_code == 302, response.context["form"].errors
    honour = HonourHours.objects.get()
    assert (honour.served_on, honour.hours) == (dt.date(2026, 6, 1), Decimal("1.5"))


@pytest.mark.parametrize(
    ("field", "value"), [("served_on", "6月1日"), ("served_on", "2026年13月1日"), ("hours_added", "一个半")]
)
def test_it_names_the_field_it_cannot_read(cast: Cast, field: str, value: str) -> None:
    volunteer(cast.tree.unit_a, record=cast.retiree_record)
    data = {"person": cast.retiree_record.pk, "hours_added": "1.5", "served_on": "2026-06-01", "reason": "值守"}
    with time_machine.travel(NOON, tick=False):
        response = login_client(cast.bureau_admin).post(
            "/volunteering/organise/activities/honour-hours/", {**data, field: value}
        )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not HonourHours.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026年6月20日 9:00", "2026年6月20日 11:30"),
        ("2026/6/20 09:00", "2026/6/20 11:30"),
        ("2026.6.20 9点", "2026.6.20 11点30分"),
        ("２０２６年６月２０日 ０９：００", "２０２６年６月２０日 １１：３０"),
    ],
)
def test_it_reads_an_activity_s_times_and_places_as_offices_write_them(cast: Cast, start: str, end: str) -> None:
    data = {
        "org": cast.tree.county_a.pk,
        "title": "社区义诊",
        "kind": "service",
        "place": "文三路社区",
        "start": start,
        "end": end,
        "capacity": "１０",
        "open_to": "scope",
        "checkin_opens_minutes": "30",
    }
    with time_machine.travel(NOON, tick=False):
        response = login_client(cast.bureau_admin).post("/volunteering/organise/activities/add/", data)
    assert response.status_code == 302, response.context["form"].errors
    made = Activity.objects.get()
    assert made.capacity == 10
    assert (made.start.isoformat(), made.end.isoformat()) == ("2026-06-20T01:00:00+00:00", "2026-06-20T03:30:00+00:00")


def test_it_reads_the_same_spellings_in_the_api(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.bureau_admin)
    body = {
        "title": "社区义诊",
        "org": "330106",
        "place": "社区",
        "start": "2026年6月20日 9:00",
        "end": "2026/6/20 11:30",
    }
    with time_machine.travel(NOON, tick=False):
        made = client.post("/api/v1/volunteering/activities/", body, format="json")
        junk = client.post("/api/v1/volunteering/activities/", {**body, "end": "下周"}, format="json")
    assert made.status_code == 201, made.content
    assert Activity.objects.get().start.isoformat() == "2026-06-20T01:00:00+00:00"
    assert junk.status_code == 400 and list(junk.json()) == ["end"]


def test_it_reads_a_visit_date_as_offices_write_it(cast: Cast) -> None:
    objects = walk_objects(cast)
    with time_machine.travel(NOON, tick=False):
        response = login_client(cast.bureau_admin).post(
            f"/volunteering/pairings/{objects['pairing'].pk}/visits/", {"visited_on": "2026年6月1日", "note": "送书包"}
        )
    assert response.status_code == 302
    assert PairingVisit.objects.get().visited_on == dt.date(2026, 6, 1)


@pytest.mark.parametrize("junk", ["", "abc", "-1", "1.5", HUGE, "99999999"])
def test_it_tells_a_leader_to_choose_a_listed_volunteer(cast: Cast, junk: str) -> None:
    act = activity(cast.tree.county_a)
    url = f"/volunteering/organise/activities/{act.pk}/checkin/"
    response = login_client(cast.clerk).post(url, {"volunteer": junk})
    assert response.status_code == 302 and response["Location"] == url
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["志愿者：请从名单中选择。"]


@pytest.mark.parametrize(
    "url",
    [
        f"/volunteering/activities/{HUGE}/",
        f"/volunteering/activities/{HUGE}/signup/",
        f"/volunteering/organise/activities/{HUGE}/code/",
        f"/volunteering/organise/activities/flags/{HUGE}/resolve/",
        f"/volunteering/memberships/{HUGE}/approve/",
        f"/volunteering/me/teams/{HUGE}/join/",
        f"/volunteering/certificates/{HUGE}/pdf/",
        f"/volunteering/pairings/{HUGE}/visits/",
        f"/api/v1/volunteering/activities/{HUGE}/code/",
        f"/api/v1/volunteering/teams/{HUGE}/",
        f"/volunteering/organise/activities/?team={HUGE}&org=abc&from=2026年6月1日",
        f"/volunteering/volunteers/?org={HUGE}&page={HUGE}",
        f"/volunteering/nominations/?year={HUGE}",
        f"/api/v1/volunteering/activities/?team={HUGE}",
    ],
)
def test_it_never_500s_on_huge_ids(cast: Cast, url: str) -> None:
    for user in (cast.bureau_admin, cast.retiree):
        client = login_client(user)
        assert client.get(url).status_code in (200, 400, 403, 404, 405), (url, user)
        assert client.post(url, {"volunteer": HUGE}).status_code in (302, 400, 403, 404, 405), (url, user)


@pytest.mark.parametrize("junk", ["", "boss", HUGE])
def test_it_says_what_to_choose_for_a_junk_role(cast: Cast, junk: str) -> None:
    objects = walk_objects(cast)
    membership = objects["membership"]
    response = login_client(cast.clerk).post(f"/volunteering/memberships/{membership.pk}/role/", {"role": junk})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["角色：请选择队员、副队长或队长。"]
    membership.refresh_from_db()
    assert membership.role == "member"

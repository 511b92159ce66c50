"""A new need's time rules, decided once and answered the same by the page and the API (issue 9: the API
accepted a need starting in 1900 and 1,000 hours for a two-hour window, which the page refused)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yinling.registry.models import Retiree
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.models import ServiceRequest
from yinling.timebank.tests.factories import person, sign_in_account

pytestmark = pytest.mark.django_db
API = "/api/v1/timebank/requests/"


@pytest.fixture
def member(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=82)
    services.do_join(by=None, retiree=r)
    sign_in_account(r, elder_mode=False)
    return r


def api(r: Retiree) -> APIClient:
    client = APIClient()
    client.force_authenticate(r.account)
    return client


def body(starts_at: dt.datetime, hours: str = "1.5", window: float = 3) -> dict[str, Any]:
    ends_at = starts_at + dt.timedelta(hours=window)
    return {
        "category": "meals",
        "expected_hours": hours,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    }


@pytest.mark.parametrize(
    "starts_at",
    [
        dt.datetime(1900, 1, 1, 9, tzinfo=dt.UTC),
        dt.datetime(2000, 6, 1, 9, tzinfo=dt.UTC),
        None,  # yesterday
    ],
)
def test_it_refuses_a_need_that_started_long_ago_through_both(member: Retiree, starts_at: dt.datetime | None) -> None:
    start = starts_at or timezone.now() - dt.timedelta(days=1)
    response = api(member).post(API, body(start), format="json")
    assert response.status_code == 400 and "starts_at" in response.json()
    client = Client()
    client.force_login(member.account)
    day = timezone.localtime(start).date().isoformat()
    page = client.post(
        "/timebank/needs/new/", {"category": "meals", "day": day, "start": "09:00", "expected_hours": "1.5"}
    )
    assert page.status_code == 200 and page.context["form"].errors["day"]
    assert not ServiceRequest.objects.exists()


def test_it_accepts_a_need_starting_now_or_later(member: Retiree) -> None:
    for start in (timezone.now() - dt.timedelta(minutes=10), timezone.now() + dt.timedelta(days=30)):
        assert api(member).post(API, body(start), format="json").status_code == 201


@pytest.mark.parametrize(("hours", "window"), [("1000", 2), ("3", 2.5), ("2.5", 2)])
def test_it_refuses_more_hours_than_the_window_holds(member: Retiree, hours: str, window: float) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    response = api(member).post(API, body(start, hours, window), format="json")
    assert response.status_code == 409 and response.json()["error"] == "hours_exceed_window"
    assert not ServiceRequest.objects.exists()
    assert api(member).post(API, body(start, "2", window), format="json").status_code == 201

"""No input gives a 500 (issue 9): numbers too large for the database or the calendar, and JSON nested too deeply.

Each URL below answered 500 before its fix; the URL walk covers junk bodies on every route."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db
HUGE = "9" * 30  # beyond a 64-bit integer


@pytest.mark.parametrize(
    "url",
    [
        f"/registry/?age_min={HUGE}",
        f"/registry/?age_max={HUGE}",
        "/registry/?age_min=-5",
        "/registry/?age_min=1e400",
        f"/registry/{HUGE}/",
        f"/registry/?page={HUGE}",
        f"/registry/?org={HUGE}",
        f"/audit/{HUGE}/",
        "/audit/?since=99999-01-01",
        f"/orgs/{HUGE}/",
        "/timebank/reports/?month=9999-99",
        f"/timebank/reports/?month={HUGE}",
        f"/timebank/requests/?org={HUGE}",
        f"/timebank/members/{HUGE}/",
        f"/timebank/requests/{HUGE}/",
    ],
)
def test_it_answers_out_of_range_numbers_on_pages_without_a_500(personas: Personas, url: str) -> None:
    assert login_client(personas.owner).get(url).status_code < 500


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/retirees/?age_min={HUGE}",
        f"/api/v1/retirees/{HUGE}/",
        f"/api/v1/timebank/requests/{HUGE}/",
        f"/api/v1/timebank/accounts/{HUGE}/",
        f"/api/v1/timebank/offers/{HUGE}/",
    ],
)
def test_it_answers_out_of_range_numbers_in_the_api_without_a_500(personas: Personas, url: str) -> None:
    client = APIClient()
    client.force_authenticate(personas.owner)
    assert client.get(url).status_code in (400, 404)


@pytest.mark.parametrize("url", ["/api/v1/timebank/gifts/", "/api/v1/timebank/requests/", "/api/v1/auth/token/"])
def test_it_refuses_json_nested_too_deeply_with_a_400(personas: Personas, url: str) -> None:
    client = APIClient()
    client.force_authenticate(personas.owner)
    response = client.post(url, data="[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_it_shows_an_impossible_age_as_a_form_error(personas: Personas) -> None:
    response = login_client(personas.owner).get(f"/registry/?age_min={HUGE}")
    assert response.status_code == 200
    assert response.context["filter"].errors["age_min"]


@pytest.mark.parametrize(
    "url",
    [
        "/?org=%00",
        "/cockpit/panels/registry-status/?org=%00",
        "/orgs/%00/",
        "/orgs/_tree/%00/",
        "/registry/?org=%00",
        "/registry/?q=%00",
        "/timebank/requests/?org=%00",
        "/accounts/users/?under=%00",
        "/search/?q=%00",
        "/registry/lookup/?q=%00",
        "/orgs/_lookup/?q=%00",
    ],
)
def test_it_answers_a_nul_character_without_a_500(personas: Personas, url: str) -> None:
    """PostgreSQL refuses text with a NUL byte (a DataError, so a 500); SQLite takes it."""
    assert login_client(personas.owner).get(url).status_code < 500

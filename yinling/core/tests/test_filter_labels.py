"""Filter forms read "全部" for an unchosen select and a yes/no filter (core/filtering.py), never a row of
dashes or Django's "未知" (unknown), on every list page that has filters."""

from __future__ import annotations

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("bureau_admin", "/registry/"),
        ("bureau_admin", "/timebank/members/"),
        ("bureau_admin", "/timebank/staff/offers/"),
        ("system_admin", "/accounts/users/"),
        ("audit_admin", "/audit/"),
    ],
)
def test_it_labels_unchosen_filters_all(cast: Cast, who: str, url: str) -> None:
    response = login_client(getattr(cast, who)).get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert "---------" not in page and "未知" not in page
    assert ">全部</option>" in page


def test_it_keeps_the_apis_yes_no_values(cast: Cast) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.bureau_admin)
    everyone = api.get("/api/v1/retirees/").json()["count"]
    disabled = api.get("/api/v1/retirees/?disabled=true").json()["count"]
    able = api.get("/api/v1/retirees/?disabled=false").json()["count"]
    assert everyone == disabled + able and api.get("/api/v1/retirees/?disabled=unknown").json()["count"] == everyone

"""The demo runs with DEBUG on, where Django answers a 404 with its technical page; a signed-in retiree
gets the product's own page instead (ProductNotFoundMiddleware), staff and the API keep theirs."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings: Any) -> None:
    settings.DEBUG = True


@pytest.mark.parametrize("url", ["/no-such-page/", "/timebank/needs/999999/", "/registry/999999/"])
def test_it_shows_a_retiree_the_products_not_found_page_in_the_demo(cast: Cast, debug: None, url: str) -> None:
    response = login_client(cast.retiree).get(url)
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "返回首页" in page
    assert "URLconf" not in page and "DEBUG = True" not in page and "yinling.urls" not in page


def test_it_keeps_the_technical_page_for_staff_in_the_demo(cast: Cast, debug: None) -> None:
    page = login_client(cast.clerk).get("/no-such-page/").content.decode()
    assert "URLconf" in page or "yinling.urls" in page


def test_it_leaves_a_retirees_api_404_as_json(cast: Cast, debug: None) -> None:
    client = login_client(cast.retiree)  # a session, so the middleware sees the retiree
    response = client.get("/api/v1/timebank/requests/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")

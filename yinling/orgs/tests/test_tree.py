"""The org tree page (orgs/views_tree.py): the user's top orgs, children loaded one level at a time, never an
org outside the user's scope."""

from __future__ import annotations

import re

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def codes(html: str) -> list[str]:
    return re.findall(r'href="/orgs/([^/"]+)/"', html)


def test_it_starts_at_the_users_top_orgs_and_opens_one_level(cast: Cast) -> None:
    client = login_client(cast.bureau_admin)
    page = client.get("/orgs/_tree/").content.decode()
    assert codes(page) == [cast.tree.city_a.code]  # the node's own page, inside it (no link in a summary)
    assert f'hx-get="/orgs/_tree/{cast.tree.city_a.code}/"' in page
    below = client.get(f"/orgs/_tree/{cast.tree.city_a.code}/").content.decode()
    assert set(codes(below)) == set(cast.tree.city_a.children.values_list("code", flat=True))
    assert "<html" not in below


def test_it_never_opens_an_org_outside_the_scope(cast: Cast) -> None:
    client = login_client(cast.clerk)
    assert codes(client.get("/orgs/_tree/").content.decode()) == [cast.tree.county_a.code]
    assert client.get(f"/orgs/_tree/{cast.tree.city_b.code}/").status_code == 404
    assert client.get(f"/orgs/_tree/{cast.tree.city_a.code}/").status_code == 404


def test_it_shows_the_province_to_a_province_admin(cast: Cast) -> None:
    page = login_client(cast.system_admin).get("/orgs/_tree/").content.decode()
    assert codes(page) == [cast.tree.province.code] and "下级" in page
    assert login_client(cast.retiree).get("/orgs/_tree/").status_code == 403

"""The staff quick search (core/quicksearch.py and its providers): scoped, masked as the role requires,
guarded like every search by a whole ID number, staff only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from yinling.audit.models import AuditRecord
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_an_hour(settings: Any) -> Iterator[None]:
    settings.REGISTRY_EXACT_SEARCHES_PER_HOUR = 2
    cache.clear()
    yield
    cache.clear()


def answer(user: Any, q: str, htmx: bool = False) -> str:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login_client(user).get("/search/", {"q": q}, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_people_and_orgs_inside_the_users_area_only(cast: Cast) -> None:
    outside = make_retiree_record(cast.tree.city_b, "张外人", "13700137000", 3)
    page = answer(cast.clerk, "张")
    assert cast.retiree_record.name in page and cast.family_record.name in page
    assert outside.name not in page
    assert f"/registry/{cast.retiree_record.pk}/" in page
    org_page = answer(cast.clerk, cast.tree.county_a.name[:2])
    assert cast.tree.county_a.code in org_page and cast.tree.city_b.code not in org_page
    assert answer(cast.outsider, "张外").count("张外人") == 1


def test_it_masks_what_it_shows_as_the_picker_does(cast: Cast) -> None:
    person = cast.family_record
    page = answer(cast.clerk, person.name, htmx=True)
    assert person.id_number[-4:] in page
    assert person.id_number not in page and person.phone not in page and person.birth_date.isoformat() not in page
    assert "<html" not in page  # the fragment for the header's box


def test_it_limits_and_audits_a_search_by_whole_phone(cast: Cast) -> None:
    person = cast.family_record
    for _ in range(2):
        assert person.name in answer(cast.clerk, person.phone)
    refused = answer(cast.clerk, person.phone)
    assert person.name not in refused and "次数过多" in refused
    records = AuditRecord.objects.unrestricted().filter(action="security", extra__via="quick").order_by("id")
    assert [r.extra["rows"] for r in records] == [1, 1, None]


@pytest.mark.parametrize("who", ["retiree", "family"])
def test_it_is_for_staff_only(cast: Cast, who: str) -> None:
    assert login_client(getattr(cast, who)).get("/search/", {"q": "张"}).status_code == 403


def test_it_shows_a_staff_member_without_registry_rights_no_people(cast: Cast) -> None:
    page = answer(cast.audit_admin, "张")
    assert cast.retiree_record.name not in page


def test_it_links_to_all_matches_when_there_are_more_than_it_shows(cast: Cast) -> None:
    for i in range(10):
        make_retiree_record(cast.tree.county_a, f"张{'一二三四五六七八九十'[i]}", f"1370013800{i}", 20 + i)
    page = answer(cast.clerk, "张", htmx=True)
    assert len(re.findall(r'href="/registry/\d+/"', page)) == 8  # eight people, then the link
    assert "在信息库中查看全部结果" in page and "/registry/?q=%E5%BC%A0&amp;status=all" in page

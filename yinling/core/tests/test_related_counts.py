"""Related counts on an org's page (core/related.py): each the count its linked list shows the same user,
and no count for a list the user may not open."""

from __future__ import annotations

import re
from html import unescape

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db


def related(client: object, code: str) -> dict[str, tuple[int, str]]:
    page = client.get(f"/orgs/{code}/").content.decode()  # type: ignore[attr-defined]
    found = re.findall(
        r'<a class="yl-related-item" href="([^"]*)"><span class="yl-related-value">≈?([\d,]+)</span> '
        r'<span class="yl-related-label">([^<]*)</span>',
        page,
    )
    return {label: (int(value.replace(",", "")), unescape(href)) for href, value, label in found}


def listed(client: object, url: str) -> int:
    response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200, url
    return int(response.context["table"].paginator.count)


def test_it_counts_what_each_linked_list_shows(cast: Cast) -> None:
    make_retiree_record(cast.tree.county_a, "王三", "13700137001", 5)
    make_retiree_record(cast.tree.city_b, "王外", "13700137002", 6)  # another city: never counted here
    client = login_client(cast.bureau_admin)
    counts = related(client, cast.tree.county_a.code)
    assert set(counts) >= {"在册人数", "工作人员账号"}, counts
    for label, (value, url) in counts.items():
        assert value == listed(client, url), label
    assert counts["在册人数"][0] == 3  # 张建国 (unit below), 张秀英 and 王三


def test_it_shows_no_count_for_a_list_the_user_may_not_open(cast: Cast) -> None:
    assert "工作人员账号" in related(login_client(cast.bureau_admin), cast.tree.county_a.code)
    counts = related(login_client(cast.leader), cast.tree.county_a.code)
    assert "工作人员账号" not in counts and "在册人数" in counts

"""The list pages' filter panel (core/templatetags/filter_panel.py): the first four filters open, the
rest behind "more" (open when one of them is in use), and each filter in use as a chip whose link is
the same list without it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def chips(page: str) -> list[tuple[str, str]]:
    found = re.findall(r'<a class="yl-chip" href="([^"]*)"><span>([^<]*)</span>', page)
    return [(unescape(text), unescape(href)) for href, text in found]


def test_it_shows_the_filters_in_use_as_chips_that_remove_themselves(cast: Cast) -> None:
    client = login_client(cast.bureau_admin)
    page = client.get("/registry/?gender=F&health=chronic&q=张&page=2&sort=name").content.decode()
    found = dict(chips(page))
    assert set(found) == {"性别：女", "健康状况：慢性病", "姓名、拼音，或身份证号、电话的后几位：张"}, found
    gone = found["性别：女"]
    assert gone.startswith("/registry/?") and "gender" not in gone and "page=" not in gone and "sort=" not in gone
    assert "health=chronic" in gone and "q=%E5%BC%A0" in gone
    assert client.get(gone).status_code == 200


def test_it_keeps_more_filters_closed_until_one_of_them_is_used(cast: Cast) -> None:
    client = login_client(cast.bureau_admin)
    plain = client.get("/registry/").content.decode()
    assert '<details class="mb-2">' in plain and "更多筛选" in plain and chips(plain) == []
    used = client.get("/registry/?disabled=true").content.decode()
    assert '<details class="mb-2" open>' in used
    assert [text for text, _href in chips(used)] == ["是否失能：是"]


def test_it_names_a_chosen_org_not_its_code_or_id(cast: Cast) -> None:
    org = cast.tree.county_a
    page = login_client(cast.bureau_admin).get(f"/registry/?org={org.code}").content.decode()
    assert chips(page) == [(f"单位（含下级）：{org.name}", "/registry/")]

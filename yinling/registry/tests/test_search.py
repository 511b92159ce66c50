from __future__ import annotations

import pytest

from yinling.core.permission_tests import login_client
from yinling.core.testing import Personas
from yinling.registry.demo import make_retiree
from yinling.registry.libraries import BUILTIN, members, visible_libraries
from yinling.registry.models import Library, Retiree

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(personas: Personas) -> Retiree:
    r, _c = make_retiree(9, personas.tree.unit_a, "330106")
    r.name, r.status, r.deceased_on = "张三", "active", None
    r.phone, r.political, r.special_flags, r.contributions = "13800135678", "cpc", ["hardship"], ["silver_talent"]
    r.save()
    other, _c = make_retiree(10, personas.tree.unit_a, "330106")
    other.name, other.status, other.deceased_on, other.political = "李四", "active", None, "none"
    other.special_flags, other.contributions = [], []
    other.save()
    return r


def names(client, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/registry/?{query}")
    assert response.status_code == 200
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.mark.parametrize("q", ["张三", "zhangsan", "zhangs", "zs", "ZS"])
def test_it_finds_people_by_name_and_pinyin(personas: Personas, zhang: Retiree, q: str) -> None:
    assert names(login_client(personas.owner), f"q={q}") == ["张三"]


def test_it_finds_people_by_id_and_phone_digits(personas: Personas, zhang: Retiree) -> None:
    client = login_client(personas.owner)
    assert names(client, f"q={zhang.id_number[-4:]}") == ["张三"]
    assert names(client, f"q={zhang.id_number[-6:]}") == ["张三"]
    assert names(client, f"q={zhang.id_number}") == ["张三"]
    assert names(client, "q=5678") == ["张三"]
    assert names(client, "q=13800135678") == ["张三"]


def test_it_filters(personas: Personas, zhang: Retiree) -> None:
    client = login_client(personas.owner)
    age = zhang.age
    assert names(client, f"age_min={age}&age_max={age}&gender={zhang.gender}&party=party") == ["张三"]
    assert names(client, "special_flag=hardship") == ["张三"]
    assert names(client, "org=330212") == []
    assert sorted(names(client, "org=330106")) == ["张三", "李四"]


def test_it_counts_the_built_in_libraries_live(personas: Personas, zhang: Retiree) -> None:
    libs = {lib["name"]: lib["count"] for lib in visible_libraries(personas.owner)}
    assert len([b for b in BUILTIN if b.name in libs]) == 4
    assert libs["党员库"] == 1 and libs["困难离退休干部库"] == 1 and libs["“银色人才”志愿者库"] == 1
    zhang.political = "none"
    zhang.save()
    assert {lib["name"]: lib["count"] for lib in visible_libraries(personas.owner)}["党员库"] == 0
    assert visible_libraries(personas.norole) == []


def test_it_saves_a_library_that_a_child_org_sees(personas: Personas, zhang: Retiree) -> None:
    from yinling.accounts import roles
    from yinling.core.testing import make_user

    response = login_client(personas.owner).post("/registry/libraries/save/", {"name": "女同志", "query": "gender=F"})
    assert response.status_code == 302
    library = Library.objects.get(name="女同志")
    assert library.filters == {"gender": "F"}
    clerk = make_user("clerk", personas.tree.county_a, roles.CLERK)
    assert "女同志" in [lib["name"] for lib in visible_libraries(clerk)]
    assert "女同志" not in [lib["name"] for lib in visible_libraries(personas.outsider)]
    assert members(personas.outsider, {"gender": "F"}).count() == 0

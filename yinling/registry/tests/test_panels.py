"""The registry's cockpit panels against hand-counted people, for each scope.

The world (ages are this year's age; birthdays on 1 January unless said otherwise):
    330100 city A itself   退休 M 80
    330106 county A1       离休 M 88 (party), 退休 F 66, 退休 M 71 born 31 December, 退休 deceased, 退休 soft-deleted
    330106U01 unit         退休 F 62 (困难, lives alone, chronic illness)
    330212 county B1       离休 F 90 (party), 退休 M 60
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from yinling.accounts import roles
from yinling.core.panels import PanelData
from yinling.orgs.models import Org
from yinling.registry import panels
from yinling.registry.models import Library, Retiree
from yinling.testing.personas import Personas, make_user
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 1, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _early_january() -> Iterator[None]:
    # 2 January: someone born on 31 December is a year younger to the day than this year's age.
    with time_machine.travel(TODAY, tick=False):
        yield


def _add(org: Org, category: str, gender: str, age: int, **fields: Any) -> Retiree:
    r = person(org, age=age)
    birth = fields.pop("birth_date", dt.date(TODAY.year - age, 1, 1))
    defaults = {"political": "none", "living": "with_children", "health": "good", "tags": "", "special_flags": []}
    Retiree.objects.filter(pk=r.pk).update(category=category, gender=gender, birth_date=birth, **{**defaults, **fields})
    return r


@pytest.fixture
def world(personas: Personas) -> dict[str, Any]:
    t = personas.tree
    _add(t.city_a, "tuixiu", "M", 80)
    _add(t.county_a, "lixiu", "M", 88, political="cpc")
    _add(t.county_a, "tuixiu", "F", 66, living="empty_nest")
    _add(t.county_a, "tuixiu", "M", 71, birth_date=dt.date(TODAY.year - 71, 12, 31))
    _add(t.county_a, "tuixiu", "M", 75, status="deceased", deceased_on=dt.date(2025, 5, 1))
    _add(t.county_a, "tuixiu", "F", 64, is_deleted=True)
    _add(
        t.unit_a,
        "tuixiu",
        "F",
        62,
        living="alone",
        health="chronic",
        special_flags=["hardship"],
        tags="|flag:hardship|",
    )
    _add(t.county_b, "lixiu", "F", 90, political="cpc")
    _add(t.county_b, "tuixiu", "M", 60, health="")
    return {
        "t": t,
        "province": make_user("prov", t.province, roles.BUREAU_ADMIN),
        "city": personas.owner,  # bureau admin of city A
        "county": make_user("countyclerk", t.county_a, roles.CLERK),
        "other_city": personas.outsider,  # bureau admin of city B
        "leader": personas.limited,  # leader of city A
    }


def grid(data: PanelData) -> dict[str, dict[str, Any]]:
    """{category: {series: value}}, leaving out empty cells, for readable expectations."""
    return {
        cat: {s.name: s.values[i] for s in data.series if s.values[i]}
        for i, cat in enumerate(data.categories)
        if any(s.values[i] for s in data.series)
    }


@pytest.mark.parametrize(
    ("who", "at", "expected"),
    [
        ("county", "county_a", {"在册": {"退休": 3, "离休": 1}, "离世": {"退休": 1}}),
        ("city", "city_a", {"在册": {"退休": 4, "离休": 1}, "离世": {"退休": 1}}),
        ("leader", "city_a", {"在册": {"退休": 4, "离休": 1}, "离世": {"退休": 1}}),
        ("other_city", "city_b", {"在册": {"退休": 1, "离休": 1}}),
        ("province", "province", {"在册": {"退休": 5, "离休": 2}, "离世": {"退休": 1}}),
        ("province", "county_b", {"在册": {"退休": 1, "离休": 1}}),
        # The city's admin looking at a county inside it: only that county's people.
        ("city", "unit_a", {"在册": {"退休": 1}}),
    ],
)
def test_it_counts_category_and_status_inside_the_scope(
    world: dict[str, Any], who: str, at: str, expected: Any
) -> None:
    data = panels.category_status(world[who], getattr(world["t"], at))
    assert grid(data) == expected


def test_it_places_people_in_age_bands_by_this_years_age(world: dict[str, Any]) -> None:
    data = panels.age_pyramid(world["province"], world["t"].province)
    # The man born 31 December 71 years ago is 70 to the day, but 71 this year: 70–74.
    assert grid(data) == {
        "60–64": {"男": 1, "女": 1},
        "65–69": {"女": 1},
        "70–74": {"男": 1},
        "80–84": {"男": 1},
        "85–89": {"男": 1},
        "90–94": {"女": 1},
    }
    assert data.categories[0] == "55岁以下" and data.categories[-1] == "100岁及以上"
    county = panels.age_pyramid(world["county"], world["t"].county_a)
    assert sum(sum(s.values) for s in county.series) == 4  # on register in county A1 and its unit


def test_it_counts_by_org_one_level_down_with_drill_codes(world: dict[str, Any]) -> None:
    t = world["t"]
    top = panels.by_org(world["province"], t.province)
    assert top.drill == ["330100", "330200"]
    assert grid(top) == {t.city_a.name: {"离休": 1, "退休": 4}, t.city_b.name: {"离休": 1, "退休": 1}}
    city = panels.by_org(world["city"], t.city_a)
    # People registered at the city itself get their own row, which drills nowhere.
    assert city.drill == ["", "330106"]
    assert [s.values for s in city.series] == [[0, 1], [1, 3]]
    # The county admin's view of city B is never asked for (the page refuses the org); at their own county
    # they see the unit below it.
    county = panels.by_org(world["county"], t.county_a)
    assert county.drill == ["", "330106U01"]
    assert [s.values for s in county.series] == [[1, 0], [2, 1]]


def test_it_counts_libraries_and_special_groups(world: dict[str, Any]) -> None:
    t = world["t"]
    Library.objects.create(name="西湖离休", org=t.county_a, filters={"category": "lixiu"})
    Library.objects.create(name="宁波党员", org=t.city_b, filters={"party": "party"})
    province = dict(zip(*_bars(panels.libraries(world["province"], t.province)), strict=True))
    assert province["党员库"] == 2 and province["困难离退休干部库"] == 1 and province["老领导动态库"] == 0
    # A saved library is a filter whose members are counted inside the viewer's org, wherever it was saved.
    assert province["西湖离休"] == 2 and province["宁波党员"] == 2
    county = dict(zip(*_bars(panels.libraries(world["county"], t.county_a)), strict=True))
    assert county["党员库"] == 1 and county["困难离退休干部库"] == 1 and county["西湖离休"] == 1
    assert dict(zip(*_bars(panels.libraries(world["province"], t.city_b)), strict=True))["西湖离休"] == 1
    assert "宁波党员" not in county  # saved in the other city, not shared down to county A1
    other = dict(zip(*_bars(panels.libraries(world["other_city"], t.city_b)), strict=True))
    assert other["党员库"] == 1 and other["困难离退休干部库"] == 0 and "西湖离休" not in other


def _bars(data: PanelData) -> tuple[list[str], list[Any]]:
    return data.categories, list(data.series[0].values)


def test_it_crosses_living_situation_with_health(world: dict[str, Any]) -> None:
    data = panels.health_living(world["province"], world["t"].province)
    assert grid(data) == {
        "独居": {"慢性病": 1},
        "空巢": {"健康": 1},
        "与子女同住": {"健康": 4, "未记录": 1},
    }
    assert sum(sum(s.values) for s in data.series) == 7
    city_b = panels.health_living(world["other_city"], world["t"].city_b)
    assert sum(sum(s.values) for s in city_b.series) == 2


def test_it_counts_by_an_exact_sensitive_search_only_for_who_may_see_the_values(world: dict[str, Any]) -> None:
    """A library searching by a whole ID number, its last six or a phone: counted for a bureau admin (who may
    see the values), left out for a clerk or leader (a count by a value they may not see would reveal whether,
    and under which org, that person is on register). A search by name is counted for everyone."""
    t = world["t"]
    target = _add(t.county_a, "tuixiu", "M", 70)
    target.refresh_from_db()
    searches = {
        "按身份证": target.id_number,
        "按后六位": target.id_number[-6:],
        "按手机": target.phone,
        "按姓名": target.name,
    }
    for name, q in searches.items():
        Library.objects.create(name=name, org=t.city_a, filters={"q": q})
    admin = panels.libraries(world["city"], t.city_a)
    counted = dict(zip(*_bars(admin), strict=True))
    assert all(counted[name] >= 1 for name in searches) and counted["按身份证"] == 1
    assert admin.note == ""
    for viewer, org in ((world["county"], t.county_a), (world["leader"], t.city_a)):
        data = panels.libraries(viewer, org)
        shown = dict(zip(*_bars(data), strict=True))
        assert not {"按身份证", "按后六位", "按手机"} & set(shown), viewer
        assert shown["按姓名"] >= 1 and data.note  # says some were left out


def test_it_still_shows_ten_saved_libraries_when_some_are_left_out(world: dict[str, Any]) -> None:
    t = world["t"]
    Library.objects.create(name="A 按手机", org=t.city_a, filters={"q": "13800138000"})
    for i in range(panels.SAVED_LIBRARIES_SHOWN + 1):
        Library.objects.create(name=f"B 离休 {i:02d}", org=t.city_a, filters={"category": "lixiu"})
    shown = panels.libraries(world["county"], t.county_a).categories
    saved = [name for name in shown if name.startswith(("A ", "B "))]
    assert saved == [f"B 离休 {i:02d}" for i in range(panels.SAVED_LIBRARIES_SHOWN)]

"""The coverage panels against hand counts, in several scopes.

West Lake (county A1) has three communities and a unit: 文新 (4 retirees) has a site 1 km away, 翠苑 (3) is 4.9 km
from it, 三墩 (2) is 20 km out, the unit (with the persona retiree) has no place at all. Ningbo (city B) has
one community (5) beside a site. The family persona lives at county A1 itself, placed by its division."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yinling.campus import panels
from yinling.campus.tests import factories as f
from yinling.orgs.models import Division, Org

pytestmark = pytest.mark.django_db

SITE = (30.2800, 120.1200)
KM_LAT = 1 / 111.195  # a km north, in degrees


def _station(parent: Org, code: str, name: str, north_km: float | None) -> Org:
    lat = None if north_km is None else Decimal(f"{SITE[0] + north_km * KM_LAT:.6f}")
    lng = None if north_km is None else Decimal(f"{SITE[1]:.6f}")
    return Org.objects.create(
        code=code,
        name=name,
        kind=Org.Kind.STATION,
        parent=parent,
        division=parent.division,
        latitude=lat,
        longitude=lng,
    )


@pytest.fixture
def world(campus):  # type: ignore[no-untyped-def]
    tree = campus.cast.tree
    # The county's centre is 30 km from any site; the unit (and so the persona retiree) has no place.
    Division.objects.filter(code="330106").update(latitude=Decimal("30.550000"), longitude=Decimal("120.120000"))
    Org.objects.filter(pk=tree.unit_a.pk).update(division=None)
    campus.site.latitude, campus.site.longitude = Decimal(str(SITE[0])), Decimal(str(SITE[1]))
    campus.site.save()
    wenxin = _station(tree.county_a, "330106S01", "文新社区", 1.0)
    cuiyuan = _station(tree.county_a, "330106S02", "翠苑社区", 4.9)
    sandun = _station(tree.county_a, "330106S03", "三墩社区", 20.0)
    for org, n in ((wenxin, 4), (cuiyuan, 3), (sandun, 2)):
        for _ in range(n):
            f.person(org, with_account=False)
    f.person(sandun, with_account=False, status="deceased")  # not on register: not counted
    school_b = f.school(tree.county_b)
    f.site(school_b, lat="29.870000", lng="121.540000")
    ningbo = Org.objects.create(
        code="330212S01",
        name="鄞州社区",
        kind=Org.Kind.STATION,
        parent=tree.county_b,
        latitude=Decimal("29.871000"),
        longitude=Decimal("121.541000"),
    )
    for _ in range(5):
        f.person(ningbo, with_account=False)
    return campus


def _table(data):  # type: ignore[no-untyped-def]
    return dict(zip(data.categories, zip(*(s.values for s in data.series), strict=True), strict=True))


def test_it_counts_the_share_within_reach_for_a_county_clerk(world) -> None:
    cast = world.cast
    # 4 + 3 covered; 2 (三墩), 1 (the unit's retiree) and 1 (the family member at the county) not: 7 of 11.
    assert panels.figures(cast.clerk, cast.tree.county_a) == (11, 7)
    data = panels.coverage(cast.clerk, cast.tree.county_a)
    rows = _table(data)
    assert rows["文新社区"] == (4, 4, 100.0)
    assert rows["翠苑社区"] == (3, 3, 100.0)
    assert rows["三墩社区"] == (2, 0, 0.0)
    assert rows["西湖区财政局离退休干部科"] == (1, 0, 0.0)
    itself = next(k for k in rows if k.startswith("西湖区委老干部局"))  # "… itself": the family member
    assert rows[itself] == (1, 0, 0.0)
    assert "63.6%" in data.note and "11" in data.note


def test_it_drills_down_from_the_city_and_leaves_the_other_city_out(world) -> None:
    cast = world.cast
    assert panels.figures(cast.bureau_admin, cast.tree.city_a) == (11, 7)
    rows = _table(panels.coverage(cast.bureau_admin, cast.tree.city_a))
    assert rows == {"西湖区委老干部局": (11, 7, 63.6)}
    # Ningbo's bureau admin sees only Ningbo: 5 of 5.
    assert panels.figures(cast.outsider, cast.tree.city_b) == (5, 5)
    # The province's system admin sees both cities: 11 + 5, of whom 7 + 5 within reach.
    assert panels.figures(cast.system_admin, cast.tree.province) == (16, 12)
    rows = _table(panels.coverage(cast.system_admin, cast.tree.province))
    assert rows == {"杭州市委老干部局": (11, 7, 63.6), "宁波市委老干部局": (5, 5, 100.0)}


def test_it_lists_the_uncovered_communities_most_retirees_first(world) -> None:
    cast = world.cast
    data = panels.uncovered(cast.clerk, cast.tree.county_a)
    assert data.categories[0] == "三墩社区" and data.series[0].values[0] == 2
    assert sorted(data.categories[1:]) == sorted(["西湖区委老干部局", "西湖区财政局离退休干部科 （位置不明）"])
    assert data.drill[0] == "330106S03"
    assert "文新社区" not in data.categories and "翠苑社区" not in data.categories


def test_it_follows_the_reach_setting(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CAMPUS_REACH_MINUTES = 20  # 2.5 km by bus: 翠苑 (4.9 km) drops out
    assert panels.figures(world.cast.clerk, world.cast.tree.county_a) == (11, 4)
    settings.CAMPUS_REACH_MINUTES = 100  # 22.5 km: 三墩 comes in
    assert panels.figures(world.cast.clerk, world.cast.tree.county_a) == (11, 9)


def test_it_counts_with_a_fixed_number_of_queries(world) -> None:
    cast = world.cast
    panels.coverage(cast.clerk, cast.tree.county_a)  # the user's grants are read once, then kept
    with CaptureQueriesContext(connection) as few:
        panels.coverage(cast.clerk, cast.tree.county_a)
    more_people = _station(cast.tree.county_a, "330106S04", "古荡社区", 2.0)
    for _ in range(10):
        f.person(more_people, with_account=False)
    with CaptureQueriesContext(connection) as more:
        panels.coverage(cast.clerk, cast.tree.county_a)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_it_shows_the_panels_to_those_who_see_retirees(world) -> None:
    from yinling.core.panels import panels_for

    ids = {p.id for p in panels_for(world.cast.clerk)}
    assert {"campus-coverage", "campus-uncovered"} <= ids
    assert not {"campus-coverage"} & {p.id for p in panels_for(world.cast.retiree)}

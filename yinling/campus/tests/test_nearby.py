"""The finder: distance, the travel-time rule at its boundaries, where home is, and the grid against brute force."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest

from yinling.campus import nearby
from yinling.orgs.models import Division, Org


@pytest.mark.parametrize(
    ("km", "minutes", "reach"),
    [
        (0.0, 0.0, True),
        (0.5, 7.5, True),  # walking: 15 minutes a km
        (10 / 11, 150 / 11, True),  # walking and the bus take the same time here
        (1.0, 14.0, True),  # from here the bus: 4 minutes a km + 10 waiting
        (2.0, 18.0, True),
        (5.0, 30.0, True),  # exactly half an hour: within reach
        (5.001, 30.004, False),  # a few metres more: not
        (10.0, 50.0, False),
    ],
)
def test_it_takes_the_faster_of_walking_and_the_bus(km: float, minutes: float, reach: bool) -> None:
    assert nearby.travel_minutes(km) == pytest.approx(minutes, abs=1e-9)
    assert nearby.within_reach(nearby.travel_minutes(km)) is reach


def test_it_reads_the_reach_from_the_setting(settings) -> None:  # type: ignore[no-untyped-def]
    assert nearby.within_reach(nearby.travel_minutes(6.0)) is False
    settings.CAMPUS_REACH_MINUTES = 34
    assert nearby.within_reach(nearby.travel_minutes(6.0)) is True  # 34 minutes by bus
    assert nearby.reach_km(34) == pytest.approx(6.0)


@pytest.mark.parametrize("minutes", [0, 5, 13, 30, 45, 90])
def test_it_inverts_the_travel_time(minutes: int) -> None:
    assert nearby.travel_minutes(nearby.reach_km(minutes)) == pytest.approx(minutes)


def test_it_measures_great_circle_distances() -> None:
    assert nearby.haversine_km((30.0, 120.0), (31.0, 120.0)) == pytest.approx(111.19, abs=0.01)
    # Along a parallel a degree is shorter by the cosine of the latitude.
    assert nearby.haversine_km((60.0, 120.0), (60.0, 121.0)) == pytest.approx(55.6, abs=0.1)
    assert nearby.haversine_km((30.2, 120.1), (30.2, 120.1)) == 0.0


@pytest.mark.django_db
def test_it_takes_home_from_the_org_else_from_its_division() -> None:
    division = Division.objects.create(
        code="339901", name="测试区", level="county", latitude=Decimal("30.1"), longitude=Decimal("120.2")
    )
    bare = Division.objects.create(code="339902", name="无坐标区", level="county")
    own = Org.objects.create(
        code="T1",
        name="有坐标社区",
        kind="station",
        division=division,
        latitude=Decimal("30.3"),
        longitude=Decimal("120.4"),
    )
    by_division = Org.objects.create(code="T2", name="无坐标社区", kind="station", division=division)
    unknown = Org.objects.create(code="T3", name="位置不明社区", kind="station", division=bare)
    nowhere = Org.objects.create(code="T4", name="没有区划", kind="station")
    assert nearby.org_point(own) == (30.3, 120.4)
    assert nearby.org_point(by_division) == (30.1, 120.2)
    assert nearby.org_point(unknown) is None
    assert nearby.org_point(nowhere) is None
    assert nearby.trip(None, (30.0, 120.0)) is None


def test_it_finds_with_the_grid_exactly_what_brute_force_finds() -> None:
    rng = random.Random(13)
    # Around Hangzhou and around Mohe (53° N), where cells in longitude are narrowest.
    for centre in ((30.25, 120.15), (52.97, 122.54)):
        sites = [(i, (centre[0] + rng.uniform(-0.3, 0.3), centre[1] + rng.uniform(-0.4, 0.4))) for i in range(600)]
        km = nearby.reach_km(30)
        grid = nearby.SiteGrid(sites, km)
        for _ in range(200):
            home = (centre[0] + rng.uniform(-0.3, 0.3), centre[1] + rng.uniform(-0.4, 0.4))
            expected = sorted((pk for pk, p in sites if nearby.haversine_km(home, p) <= km), key=int)
            assert sorted(pk for pk, _km in grid.near(home)) == expected
            assert grid.any_within(home, 30) is bool(expected)


def test_it_orders_what_the_grid_finds_nearest_first() -> None:
    grid = nearby.SiteGrid([(1, (30.0, 120.03)), (2, (30.0, 120.01)), (3, (30.0, 120.02))], 5.0)
    found = grid.near((30.0, 120.0))
    assert [pk for pk, _km in found] == [2, 3, 1]
    assert found[0][1] == pytest.approx(0.01 * 111.19 * math.cos(math.radians(30)), abs=0.01)

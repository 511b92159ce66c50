"""The nearest-site finder: how far a retiree's home is from each senior-university site, in minutes.

Home is the retiree's org (their community station or unit: `Org.latitude/longitude`), or else the centre
of that org's division (`Division.latitude/longitude`); a site has its own coordinates. Distance is the
great-circle (haversine) distance in km.

Travel time, a deliberately rough model of how an older person gets about town (no road network here):
- walking at 4 km/h: 15 minutes a km;
- a bus at 15 km/h door to door, plus 10 minutes waiting for it: 4 minutes a km + 10;
the faster of the two. Walking wins up to 10/11 km (about 900 m); from there the bus. "Within reach" is
at most `settings.CAMPUS_REACH_MINUTES` (30 by default): by bus that is 5 km.

Sites are thousands at most and the coverage panel asks for thousands of communities at once, so sites
are put in a coarse grid (cells at least the reach's distance wide) and only the 3 × 3 cells around a
point are measured exactly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

EARTH_KM = 6371.0088
WALK_KMH = 4.0
BUS_KMH = 15.0
BUS_WAIT_MINUTES = 10.0
KM_PER_DEGREE = 111.32
# Grid cells are as wide in longitude as the reach at this latitude (north of Heilongjiang's border): further
# south a degree of longitude is longer, so the cells are wider than needed, never narrower.
GRID_MAX_LATITUDE = 60.0

Point = tuple[float, float]  # (latitude, longitude) in degrees


def reach_minutes() -> int:
    return int(getattr(settings, "CAMPUS_REACH_MINUTES", 30))


def haversine_km(a: Point, b: Point) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_minutes(km: float) -> float:
    """The faster of walking and the bus (see the module's docstring)."""
    walk = km / WALK_KMH * 60
    bus = km / BUS_KMH * 60 + BUS_WAIT_MINUTES
    return min(walk, bus)


def reach_km(minutes: float) -> float:
    """The farthest distance within `minutes` (the inverse of travel_minutes)."""
    return max(minutes * WALK_KMH / 60, max(0.0, minutes - BUS_WAIT_MINUTES) * BUS_KMH / 60)


def within_reach(minutes: float, limit: float | None = None) -> bool:
    # A hair of tolerance: 5 km by bus is 30 minutes exactly, and float arithmetic must not push it out.
    return minutes <= (reach_minutes() if limit is None else limit) + 1e-9


def point(lat: Decimal | float | None, lng: Decimal | float | None) -> Point | None:
    if lat is None or lng is None:
        return None
    return float(lat), float(lng)


def org_point(org: Any) -> Point | None:
    """An org's place: its own coordinates, else its division's centre (None when neither is known)."""
    own = point(org.latitude, org.longitude)
    if own is not None:
        return own
    division = getattr(org, "division", None) if org.division_id else None
    return point(division.latitude, division.longitude) if division is not None else None


def home_of(retiree: Any) -> Point | None:
    return org_point(retiree.org)


@dataclass(frozen=True)
class Trip:
    km: float
    minutes: float

    @property
    def rounded_minutes(self) -> int:
        return max(1, math.ceil(self.minutes - 1e-9))

    @property
    def in_reach(self) -> bool:
        return within_reach(self.minutes)


def trip(home: Point | None, place: Point | None) -> Trip | None:
    if home is None or place is None:
        return None
    km = haversine_km(home, place)
    return Trip(km, travel_minutes(km))


class SiteGrid:
    """Points (site id → place) bucketed in cells of at least `km` so a reach query reads 9 cells."""

    def __init__(self, sites: Iterable[tuple[int, Point]], km: float) -> None:
        self.km = max(km, 0.001)
        self.lat_step = self.km / KM_PER_DEGREE
        self.lng_step = self.km / (KM_PER_DEGREE * math.cos(math.radians(GRID_MAX_LATITUDE)))
        self.cells: dict[tuple[int, int], list[tuple[int, Point]]] = defaultdict(list)
        for pk, place in sites:
            self.cells[self._cell(place)].append((pk, place))

    def _cell(self, place: Point) -> tuple[int, int]:
        return math.floor(place[0] / self.lat_step), math.floor(place[1] / self.lng_step)

    def near(self, home: Point) -> list[tuple[int, float]]:
        """(site id, km) of the sites within the grid's distance of home, nearest first."""
        row, col = self._cell(home)
        found = []
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for pk, place in self.cells.get((row + dr, col + dc), ()):
                    km = haversine_km(home, place)
                    if km <= self.km + 1e-9:
                        found.append((pk, km))
        found.sort(key=lambda pair: (pair[1], pair[0]))
        return found

    def any_within(self, home: Point, minutes: float) -> bool:
        """Whether some site is within `minutes` of home (stops at the first: the coverage panel asks this
        for every community)."""
        row, col = self._cell(home)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for _pk, place in self.cells.get((row + dr, col + dc), ()):
                    if within_reach(travel_minutes(haversine_km(home, place)), minutes):
                        return True
        return False


def site_points() -> list[tuple[int, Point]]:
    """Every live site with coordinates. The catalogue and where classes are held are open to everybody
    signed in (selectors.catalogue), so reading the sites' places needs no scope."""
    from yinling.campus.models import Site

    rows = Site.objects.unrestricted().filter(is_deleted=False, latitude__isnull=False, longitude__isnull=False)
    found = []
    for pk, lat, lng in rows.values_list("pk", "latitude", "longitude"):
        place = point(lat, lng)
        if place is not None:
            found.append((pk, place))
    return found


def grid(minutes: float | None = None) -> SiteGrid:
    limit = reach_minutes() if minutes is None else minutes
    return SiteGrid(site_points(), reach_km(limit))

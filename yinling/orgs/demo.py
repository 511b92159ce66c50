"""Demo org tree: Zhejiang's province bureau, 11 city and 90 county bureaus, and units and stations.

西湖区's bureau, units and stations have coordinates (a few km apart, clear of the lake), so the campus
demo's sites near them give the nearest-site finder real distances; other orgs have none and their
division's centre stands in.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from yinling.orgs.models import Division, Org
from yinling.orgs.services import load_divisions

PROVINCE = "330000"
UNITS = ("财政局离退休干部科", "教育局离退休干部科")
STATIONS = ("城关社区老干部服务站", "新村社区老干部服务站")
# (latitude, longitude) of 西湖区's orgs: the bureau, the two units (文二路, 古荡), the two stations (黄龙, 三墩).
COORDINATES: dict[str, tuple[str, str]] = {
    "330106": ("30.259500", "120.130200"),
    "330106U01": ("30.274200", "120.139500"),
    "330106U02": ("30.284000", "120.117500"),
    "330106S01": ("30.269000", "120.153000"),
    "330106S02": ("30.294000", "120.098000"),
}


def bureau_name(division: Division) -> str:
    return f"{division.name}委老干部局"


def _ensure(
    code: str, name: str, kind: str, parent: Org | None, division_id: str | None, existing: dict[str, Org]
) -> Org:
    org = existing.get(code)
    if org is None:
        org = Org(code=code, name=name, kind=kind, parent=parent, division_id=division_id)
        org.save()
        existing[code] = org
    return org


def seed_org_tree(options: dict[str, Any], write: Callable[[str], None]) -> None:
    created, _updated = load_divisions()
    write(f"divisions: {created} new")
    existing = {o.code: o for o in Org.objects.all()}
    before = len(existing)
    province = Division.objects.get(code=PROVINCE)
    root = _ensure(PROVINCE, "浙江省委老干部局", Org.Kind.PROVINCE_BUREAU, None, PROVINCE, existing)
    for city in Division.objects.filter(parent=province).order_by("code"):
        city_org = _ensure(city.code, bureau_name(city), Org.Kind.CITY_BUREAU, root, city.code, existing)
        for county in Division.objects.filter(parent=city).order_by("code"):
            county_org = _ensure(
                county.code, bureau_name(county), Org.Kind.COUNTY_BUREAU, city_org, county.code, existing
            )
            for n, suffix in enumerate(UNITS, 1):
                _ensure(
                    f"{county.code}U{n:02d}", f"{county.name}{suffix}", Org.Kind.UNIT, county_org, county.code, existing
                )
            for n, suffix in enumerate(STATIONS, 1):
                _ensure(
                    f"{county.code}S{n:02d}",
                    f"{county.name}{suffix}",
                    Org.Kind.STATION,
                    county_org,
                    county.code,
                    existing,
                )
    located = _locate(existing)
    write(f"orgs: {len(existing) - before} new, {len(existing)} in all, {located} given coordinates")


def _locate(existing: dict[str, Org]) -> int:
    """Coordinates for the orgs in COORDINATES that have none yet (a tree seeded before they existed too)."""
    located = 0
    for code, (lat, lng) in COORDINATES.items():
        org = existing.get(code)
        if org is not None and org.latitude is None and org.longitude is None:
            org.latitude, org.longitude = Decimal(lat), Decimal(lng)
            org.save(update_fields=["latitude", "longitude"])
            located += 1
    return located

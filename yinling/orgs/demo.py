"""Demo org tree: Zhejiang's province bureau, 11 city and 90 county bureaus, and units and stations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yinling.orgs.models import Division, Org
from yinling.orgs.services import load_divisions

PROVINCE = "330000"
UNITS = ("财政局离退休干部科", "教育局离退休干部科")
STATIONS = ("城关社区老干部服务站", "新村社区老干部服务站")


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
    write(f"orgs: {len(existing) - before} new, {len(existing)} in all")

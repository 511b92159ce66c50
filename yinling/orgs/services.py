"""Loading reference divisions and building the org tree."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from yinling.orgs.models import Division, Org

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "cn-divisions.csv"


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


@transaction.atomic
def load_divisions(path: Path = DIVISIONS_CSV) -> tuple[int, int]:
    """Insert or update every division from the CSV; returns (created, updated)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    existing = {d.code: d for d in Division.objects.all()}
    created: list[Division] = []
    updated: list[Division] = []
    # Parents first, so every FK target exists when its children are written.
    order = {"province": 0, "city": 1, "county": 2}
    rows.sort(key=lambda r: (order.get(r["level"], 3), r["code"]))
    for row in rows:
        values = {
            "name": row["name"],
            "level": row["level"],
            "parent_id": row["parent"] or None,
            "longitude": _decimal(row["longitude"]),
            "latitude": _decimal(row["latitude"]),
        }
        div = existing.get(row["code"])
        if div is None:
            created.append(Division(code=row["code"], **values))
        elif any(getattr(div, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(div, k, v)
            updated.append(div)
    for level in ("province", "city", "county"):
        Division.objects.bulk_create([d for d in created if d.level == level], batch_size=1000)
    Division.objects.bulk_update(updated, ["name", "level", "parent_id", "longitude", "latitude"], batch_size=1000)
    return len(created), len(updated)


def create_org(*, code: str, name: str, kind: str, parent: Org | None, division_id: str | None = None) -> Org:
    org = Org(code=code, name=name, kind=kind, parent=parent, division_id=division_id)
    org.full_clean()
    org.save()
    return org

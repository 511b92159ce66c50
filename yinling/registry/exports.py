"""Registry export: the template's columns, streamed to a temporary file with bounded memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from yinling.registry import choices
from yinling.registry.models import Retiree
from yinling.registry.schema import COLUMNS, HEADERS, status_labels

_STATUS_LABEL = {v: k for k, v in status_labels().items()}


def _labels(enum: Any) -> dict[str, str]:
    return {code: str(label) for code, label in enum.choices}


def row_values(r: Retiree, reveal: bool, org_codes: dict[int, str]) -> list[Any]:
    ethnic = dict(choices.ethnic_choices())
    out: list[Any] = []
    for col in COLUMNS:
        key = col.key
        if key == "org_code":
            out.append(org_codes.get(r.org_id, ""))
            continue
        if col.sensitive and not reveal:
            value: Any = {"id_number": r.id_masked, "phone": r.phone_masked, "address": r.address_masked}.get(
                key, "****" if getattr(r, key) else ""
            )
        else:
            value = getattr(r, key)
        if key == "status":
            value = _STATUS_LABEL.get(value, value)
        elif col.kind == "choice" and col.enum is not None:
            value = _labels(col.enum).get(value, value)
        elif col.kind == "multi" and col.enum is not None:
            labels = _labels(col.enum)
            value = "、".join(labels.get(v, v) for v in value or [])
        elif col.kind == "ethnic":
            value = ethnic.get(value, value)
        elif col.kind == "bool":
            value = "是" if value else "否"
        elif col.kind == "month":
            value = value or ""
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out.append(value if value is not None else "")
    return out


def iter_rows(qs: QuerySet[Retiree], reveal: bool) -> Iterator[list[Any]]:
    from yinling.orgs.models import Org

    org_codes = dict(Org.objects.values_list("id", "code"))
    fields = [c.key for c in COLUMNS if c.key != "org_code"] + ["org_id", "id_masked", "phone_masked", "address_masked"]
    if not reveal:
        # Never decrypt what will not be shown.
        fields = [f for f in fields if f not in ("id_number", "phone", "address")]
    for r in qs.only(*fields).order_by("id").iterator(chunk_size=2000):
        yield row_values(r, reveal, org_codes)


__all__ = ["HEADERS", "iter_rows"]

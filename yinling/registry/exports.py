"""Registry export: the template's columns, streamed to a temporary file with bounded memory.

The rows come from one ordered query read in chunks as plain tuples (no model instances), and
each column's conversion (labels for codes, masks, dates as text) is worked out once per
export, not per row. Masked exports read the stored masks and never decrypt: a sensitive
column without a stored mask (health details) is read as "is it empty?" in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from yinling.registry import choices
from yinling.registry.idcard import birth_shown
from yinling.registry.models import Retiree
from yinling.registry.schema import COLUMNS, HEADERS, Column, status_labels

_STATUS_LABEL = {v: k for k, v in status_labels().items()}
# Sensitive columns whose mask is stored beside the encrypted value.
_MASKS = {"id_number": "id_masked", "phone": "phone_masked", "address": "address_masked"}


@cache
def _ethnic_names() -> dict[str, str]:
    return dict(choices.ethnic_choices())  # read from a CSV file: once, not per row


def _labels(enum: Any) -> dict[str, str]:
    return {code: str(label) for code, label in enum.choices}


def _plain(value: Any) -> Any:
    return "" if value is None else value


def _converter(col: Column, masked: bool) -> Callable[[Any], Any]:
    """How one column's stored value becomes the cell the template expects."""
    if masked:
        if col.key in _MASKS:
            return _plain
        return lambda present: "****" if present else ""  # the value itself is never read
    if col.key == "status":
        return lambda v: "" if v is None else _STATUS_LABEL.get(v, v)
    kind = col.kind
    if kind == "choice" and col.enum is not None:
        labels = _labels(col.enum)
        return lambda v: "" if v is None else labels.get(v, v)
    if kind == "multi" and col.enum is not None:
        labels = _labels(col.enum)
        return lambda v: "、".join(labels.get(x, x) for x in v or [])
    if kind == "ethnic":
        ethnic = _ethnic_names()
        return lambda v: "" if v is None else ethnic.get(v, v)
    if kind == "bool":
        return lambda v: "是" if v else "否"
    if kind == "month":
        return lambda v: v or ""
    return lambda v: v.isoformat() if isinstance(v, dt.date) else _plain(v)


class RowFormatter:
    """The export's columns for one export: which values to read, and how each becomes a cell."""

    def __init__(self, reveal: bool, org_codes: dict[int, str]) -> None:
        self.org_codes = org_codes
        self.fields: list[str] = ["org_id"]  # values_list() names, in the order format() reads them
        self.annotations: dict[str, Any] = {}
        self.plan: list[tuple[int, Callable[[Any], Any]]] = []
        for col in COLUMNS:
            if col.key == "org_code":
                self.plan.append((0, self._org_code))
                continue
            masked = col.sensitive and not reveal
            name = col.key
            if col.key == "birth_date" and not reveal:
                # The year only (idcard.birth_shown): more would help rebuild the ID number.
                self.plan.append((len(self.fields), lambda v: birth_shown(v)))
                self.fields.append(name)
                continue
            if masked and col.key in _MASKS:
                name = _MASKS[col.key]
            elif masked:
                name = f"export_has_{col.key}"
                self.annotations[name] = ExpressionWrapper(~Q(**{col.key: ""}), output_field=BooleanField())
            self.plan.append((len(self.fields), _converter(col, masked)))
            self.fields.append(name)

    def _org_code(self, org_id: Any) -> str:
        return self.org_codes.get(org_id, "")

    def format(self, values: Sequence[Any]) -> list[Any]:
        return [convert(values[index]) for index, convert in self.plan]

    def values(self, r: Retiree) -> list[Any]:
        """The same row from a model instance (benchmarks build sheets from unsaved demo records)."""
        return self.format(
            [
                getattr(r, name) if hasattr(r, name) else bool(getattr(r, name.removeprefix("export_has_")))
                for name in self.fields
            ]
        )


def iter_rows(qs: QuerySet[Retiree], reveal: bool) -> Iterator[list[Any]]:
    from yinling.orgs.models import Org

    formatter = RowFormatter(reveal, dict(Org.objects.unrestricted().values_list("id", "code")))
    rows = qs.annotate(**formatter.annotations).order_by("id").values_list(*formatter.fields)
    for values in rows.iterator(chunk_size=2000):
        yield formatter.format(values)


__all__ = ["HEADERS", "RowFormatter", "iter_rows"]

"""Multi-row INSERT … RETURNING without the ORM's per-value compilation.

Django's bulk_create compiles every value of every row through the generic field
machinery; for a 40-column model that is most of an import's time. Here each field's
conversion is looked up once per column and the statement is built once per batch
size; values still go through the field's own `get_db_prep_save`, so encrypted fields
are encrypted and JSON is serialised exactly as the ORM would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


def _converter(field: models.Field) -> Callable[[Any], Any]:
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
    if (
        type(field).__module__.startswith("django.")
        and isinstance(field, plain)
        and not isinstance(field, models.JSONField)
    ):
        return lambda value: value

    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return convert


def insert(model: type[models.Model], objs: Sequence[models.Model], batch_size: int = 500) -> None:
    """Insert `objs` and set their primary keys (like bulk_create, for plain models without signals)."""
    if not objs:
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    converters = [(f.attname, _converter(f)) for f in fields]
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = connection.ops.quote_name(opts.db_table)
    pk = connection.ops.quote_name(str(opts.pk.column))
    with connection.cursor() as cur:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            params: list[Any] = []
            for obj in chunk:
                params.extend(convert(getattr(obj, attname)) for attname, convert in converters)
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(chunk))} RETURNING {pk}"  # noqa: S608
            cur.execute(sql, params)
            ids = [row[0] for row in cur.fetchall()]
            # Both databases return the rows of a multi-row INSERT in the order they were given.
            for obj, pk_value in zip(chunk, ids, strict=True):
                obj.pk = pk_value
                obj._state.adding = False
                obj._state.db = connection.alias

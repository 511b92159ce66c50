"""A materialized-path column whose subtree lookup is one indexed query everywhere.

Paths are org codes joined by "/" with a trailing "/" ("330000/330100/330106/"),
so they are readable in SQL and a prefix never matches a sibling whose code merely
starts the same way.

Why not django-treebeard or django-mptt: their subtree filters are
`path LIKE 'x%'`, which SQLite's planner cannot serve from an index (Django's LIKE is
case-insensitive there), and nested sets make moves rewrite half the table. Here
`path__under=P` is a `LIKE` on PostgreSQL (served by the varchar_pattern_ops index
Django adds to indexed CharFields) and a half-open range on SQLite, whose default
BINARY collation orders ASCII bytewise.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import StartsWith


class TreePathField(models.CharField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


@TreePathField.register_lookup
class Under(StartsWith):
    """`path__under=P`: P itself and everything below it."""

    lookup_name = "under"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        # PostgreSQL and others: exactly Django's startswith (LIKE 'P%'), which the
        # varchar_pattern_ops index Django adds for indexed CharFields serves.
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler: Any, connection: Any) -> Any:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        # "\x7f" sorts after every character an org code may contain.
        return f"({lhs_sql} >= %s AND {lhs_sql} < %s)", [*lhs_params, prefix, *lhs_params, prefix + "\x7f"]

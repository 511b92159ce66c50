"""Reading a row and its related rows on a hot path without the ORM's query compiler.

`Joined([Part(Section, "s"), Part(Term, "t", "term", "s")], where="s.id = %s")` writes its SELECT once (every
concrete column of each model, from the models' own metadata) and then, on each call, runs it and builds the
instances with `Model.from_db` and the fields' own database converters, linking each related instance into the
one before it, as `select_related` would. Why: in the enrolment rush (benchmarks/campus_rush.py) compiling the
ORM's queries cost more CPU than PostgreSQL spent answering them; a request read the same few joined rows with the same
shape every time. Use it only where a benchmark shows that; everywhere else the ORM's querysets are clearer.

What it reads is unrestricted: the caller says why it may read it (as with `.unrestricted()`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models


@dataclass(frozen=True)
class Part:
    """One model in the row: reached from the part named `parent` through its foreign key `via`."""

    model: type[models.Model]
    alias: str
    via: str = ""  # the parent's foreign key to this part ("" for the first part)
    parent: str = ""  # the parent part's alias


# (the SELECT, and per part: the part, its fields' attnames, each field's column and database converters)
_Plan = tuple[str, list[tuple[Part, list[str], list[tuple[Any, list[Callable[..., Any]]]]]]]


@dataclass
class Joined:
    """A SELECT of `parts` joined along their foreign keys, filtered by `where` (SQL on the aliases, with %s)."""

    parts: Sequence[Part]
    where: str
    _plans: dict[str, _Plan] = field(default_factory=dict, repr=False)

    def _plan(self, using: str) -> _Plan:
        if using in self._plans:
            return self._plans[using]
        connection = connections[using]
        quote = connection.ops.quote_name
        columns: list[str] = []
        shapes = []
        joins: list[str] = []
        for part in self.parts:
            meta = part.model._meta
            fields = list(meta.concrete_fields)
            columns += [f"{part.alias}.{quote(str(f.column))}" for f in fields]
            converters = []
            for f in fields:
                col = f.get_col(part.alias)
                converters.append((col, connection.ops.get_db_converters(col) + f.get_db_converters(connection)))
            shapes.append((part, [f.attname for f in fields], converters))
            if not part.via:
                joins.append(f"{quote(meta.db_table)} {part.alias}")
                continue
            parent = next(p for p in self.parts if p.alias == part.parent)
            fk = parent.model._meta.get_field(part.via)
            assert isinstance(fk, models.ForeignKey | models.OneToOneField)
            target = fk.target_field.column
            joins.append(
                f"JOIN {quote(meta.db_table)} {part.alias} "
                f"ON {part.alias}.{quote(str(target))} = {parent.alias}.{quote(str(fk.column))}"
            )
        sql = f"SELECT {', '.join(columns)} FROM {' '.join(joins)} WHERE {self.where}"  # noqa: S608 - our metadata
        self._plans[using] = (sql, shapes)
        return self._plans[using]

    def first(self, params: Sequence[Any], using: str = "default") -> models.Model | None:
        """The first part's instance, its related parts attached (None when no row matches)."""
        found = self.all(params, using, limit=1)
        return found[0] if found else None

    def all(self, params: Sequence[Any], using: str = "default", limit: int | None = None) -> list[models.Model]:
        """Every matching row's first-part instance (at most `limit`), related parts attached."""
        sql, shapes = self._plan(using)
        connection = connections[using]
        with connection.cursor() as cur:
            cur.execute(sql, list(params))
            found = cur.fetchmany(limit) if limit else cur.fetchall()
        return [self._build(row, shapes, using) for row in found]

    def _build(self, row: Sequence[Any], shapes: list[Any], using: str) -> models.Model:
        connection = connections[using]
        built: dict[str, models.Model] = {}
        at = 0
        for part, names, converters in shapes:
            values = []
            for i, (col, chain) in enumerate(converters):
                value = row[at + i]
                for convert in chain:
                    value = convert(value, col, connection)
                values.append(value)
            at += len(names)
            instance = part.model.from_db(using, names, values)
            built[part.alias] = instance
            if part.via:
                # As select_related does: the parent's cache holds the related instance (no query on access).
                part_field = built[part.parent]._meta.get_field(part.via)
                part_field.set_cached_value(built[part.parent], instance)  # type: ignore[union-attr]
        return built[self.parts[0].alias]

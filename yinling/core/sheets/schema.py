"""A sheet's columns, declared once: header, aliases, parser, required; and finding them in a file.

A `SheetSchema` drives header matching (any column order, aliases, notes in brackets,
title rows above the header, extra columns ignored and listed) and parses each row's cells
by key. Domain apps declare their own schema; this module knows nothing of what the
columns mean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from yinling.core.sheets.cells import text
from yinling.core.sheets.reading import Row, Source, Table, UnreadableFile, open_tables

HEADER_SCAN_ROWS = 20

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class SheetColumn:
    key: str
    header: str  # as the template writes it
    aliases: tuple[str, ...] = ()
    parse: Parser = text  # cell → clean value; raises ValueError with a translated message
    required: bool = False  # the header must be present (an empty cell is the parser's business)
    max_length: int = 0  # checked on the parsed text, 0 for none


_NOISE = re.compile(r"[\s\u3000*＊:：（）()]")
_BRACKETS = re.compile(r"[（(【\[].*?[)）】\]]")


def normalise_header(value: object) -> str:
    return _NOISE.sub("", text(value)).strip()


def _header_text(cell: Any) -> str:
    return "" if cell is None else re.sub(r"\s+", " ", str(cell)).strip()


@dataclass
class Layout:
    """Where the schema's columns are in one file."""

    schema: SheetSchema
    header_row: int
    headers: list[str]  # every header cell as written ("" for empty ones)
    columns: dict[int, SheetColumn]  # file column index → schema column
    extra: list[str]  # headers that match no column (ignored)
    sheet: str = ""
    positions: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.positions = {col.key: i for i, col in self.columns.items()}

    def header(self, key: str) -> str:
        """The column's header as the file writes it (the template's if the file lacks the column)."""
        i = self.positions.get(key)
        if i is not None and i < len(self.headers) and self.headers[i]:
            return self.headers[i]
        col = self.schema.by_key.get(key)
        return col.header if col else key


@dataclass(frozen=True)
class SheetSchema:
    columns: Sequence[SheetColumn]
    # A row naming any of these is the header row (the columns no sheet of this kind lacks).
    anchors: tuple[str, ...]

    @cached_property
    def by_key(self) -> dict[str, SheetColumn]:
        return {c.key: c for c in self.columns}

    @cached_property
    def index(self) -> dict[str, SheetColumn]:
        """Every accepted header spelling (normalised) → its column."""
        index: dict[str, SheetColumn] = {}
        for col in self.columns:
            for name in (col.header, *col.aliases):
                index[normalise_header(name)] = col
        return index

    def match(self, cell: Any) -> SheetColumn | None:
        if cell is None or cell == "":
            return None
        s = str(cell)
        # "出生日期（yyyy-mm-dd）", "身份证号【必填】": the words in brackets are notes.
        return self.index.get(normalise_header(s)) or self.index.get(normalise_header(_BRACKETS.sub("", s)))

    def find_layout(self, rows: Iterator[Row], sheet: str = "") -> Layout | None:
        """The first row (of the first 20) naming an anchor column is the header; None if there is none."""
        for number, values in rows:
            if number > HEADER_SCAN_ROWS:
                return None
            columns: dict[int, SheetColumn] = {}
            extra: list[str] = []
            for i, cell in enumerate(values):
                col = self.match(cell)
                if col is not None and col not in columns.values():
                    columns[i] = col
                elif _header_text(cell):
                    extra.append(_header_text(cell))
            found = {c.key for c in columns.values()}
            if found.intersection(self.anchors):
                missing = [c.header for c in self.columns if c.required and c.key not in found]
                if missing:
                    raise UnreadableFile(
                        _("The header (row %(row)d) lacks required columns: %(columns)s.")
                        % {"row": number, "columns": "、".join(missing)}
                    )
                return Layout(self, number, [_header_text(v) for v in values], columns, extra, sheet)
        return None

    def open(self, source: Source, filename: str) -> tuple[Layout, Iterator[Row], Callable[[], None]]:
        """The first sheet with a header row: its layout, the rows after the header, and a close function."""
        tables = open_tables(source, filename)

        def close_all(table: Table | None = None) -> None:
            close = getattr(table.rows if table else None, "close", None)
            if close is not None:
                close()
            tables.close()  # type: ignore[attr-defined]

        try:
            for table in tables:
                layout = self.find_layout(table.rows, table.name)
                if layout is not None:
                    return layout, table.rows, lambda found=table: close_all(found)
                close = getattr(table.rows, "close", None)
                if close is not None:
                    close()
        except BaseException:
            close_all()
            raise
        close_all()
        named = [self.by_key[k] for k in self.anchors if k in self.by_key]
        named += [c for c in self.columns if c.required and c not in named]
        headers = "".join(f"“{c.header}”" for c in named)
        raise UnreadableFile(
            _(
                "No header row found: one of the first %(n)d rows should name the columns, such as %(columns)s. "
                "Use the import template."
            )
            % {"n": HEADER_SCAN_ROWS, "columns": headers}
        )

    def parse_row(
        self, values: list[Any], columns: list[tuple[int, SheetColumn]]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Each mapped cell through its column's parser: (key → value, [(key, message)])."""
        size = len(values)
        out: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for i, col in columns:
            try:
                value = col.parse(values[i] if i < size else None)
                if col.max_length and value and len(value) > col.max_length:
                    raise ValueError(_("is longer than %(n)d characters") % {"n": col.max_length})
                out[col.key] = value
            except ValueError as exc:
                errors.append((col.key, str(exc)))
        return out, errors


def blank(values: list[Any]) -> bool:
    return all(v is None or v == "" or (isinstance(v, str) and not v.strip()) for v in values)

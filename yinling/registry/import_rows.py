"""Checking one import row: the registry's rules, then the row as the table stores it.

Pure (no database): runs in the import's worker processes too. A valid row comes back
encrypted and converted, on PostgreSQL as its COPY line, so that the parent only joins
lines (see `copy_line`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection, models
from django.utils.translation import gettext as _

from yinling.core.crypto import encrypt
from yinling.core.sheets import Row, blank
from yinling.core.sheets.cells import code as parse_code
from yinling.registry.models import Retiree
from yinling.registry.schema import BY_KEY
from yinling.registry.validation import clean_record

# Fields an import compares and writes: everything a sheet can carry.
IMPORT_FIELDS = [c.key for c in BY_KEY.values() if c.key != "org_code"]
DERIVED_FIELDS = (
    "id_hash",
    "id_masked",
    "id_last4",
    "id_last6_hash",
    "phone_masked",
    "phone_last4",
    "phone_hash",
    "address_masked",
    "name_pinyin",
    "name_initials",
    "tags",
)


@dataclass
class RowContext:
    """What checking a row needs, without the database (so worker processes can check rows)."""

    columns: list[tuple[int, str]]  # file column index → column key
    orgs: dict[str, tuple[int, str, bool]]  # code → (id, path, active)
    allowed: frozenset[int]  # the orgs where the user may import (core.scoping.orgs_where: active, in scope)
    default_org: tuple[int, str, str] | None  # (id, path, code)
    known_regions: set[str]
    today: dt.date
    plan: list[tuple[str, str, Any]]  # the table's columns: (attname, kind, default), see plan_for
    # PostgreSQL: a valid row comes back as its COPY line (see copy_line), not as a list.
    copy_lines: bool = False
    # Derived from plan once (not per row): a new row starts as a copy of `template` (every
    # column's default, converted), then the columns of each kind are filled in.
    template: list[Any] = field(init=False)
    by_kind: dict[str, list[tuple[int, str]]] = field(init=False)
    hash_at: int = field(init=False)  # where id_hash is in a row
    adapt_date: Callable[[Any], Any] = field(init=False)  # a date as the database driver takes it

    def __post_init__(self) -> None:
        self.adapt_date = adapt_date = connection.ops.adapt_datefield_value
        self.template, self.by_kind = [], {}
        for i, (attname, kind, default) in enumerate(self.plan):
            if kind == "json":
                default = json.dumps(default)
            elif kind == "date":
                default = adapt_date(default)
            self.template.append(default)
            self.by_kind.setdefault(kind, []).append((i, attname))
        self.hash_at = [attname for attname, _kind, _default in self.plan].index("id_hash")

    def org_for(self, code: str) -> tuple[int, str]:
        """(org id, "") or (0, the reason)."""
        if code:
            org = self.orgs.get(code) or self.orgs.get(code.upper())
            if org is None:
                return 0, _("org code %(code)s does not exist: check it") % {"code": code}
            pk, _path, active = org
            if not active:
                return 0, _("org %(code)s is switched off") % {"code": code}
            if pk not in self.allowed:
                return 0, _("org %(code)s is outside where you may import") % {"code": code}
            return pk, ""
        if self.default_org is None:
            return 0, _("is empty, and the import names no default org")
        pk, _path, default_code = self.default_org
        if pk not in self.allowed:
            return 0, _("the default org %(code)s is outside where you may import") % {"code": default_code}
        return pk, ""


# A valid row: (org id, its ID hash, the row as the table stores it (ordered as plan_for, encrypted,
# converted: a list, or on PostgreSQL its COPY line), the sensitive values in plain text (for
# comparing with a stored record), which fields the row sets).
Valid = tuple[int, str, list[Any] | bytes, tuple[str, ...], int]
# (row number, Valid or None, problems, warnings, the ID number's _id_key or 0 if unreadable);
# problems and warnings are (column key, Chinese message). A blank row is checked as None.
Checked = tuple[int, Valid | None, list[tuple[str, str]], list[tuple[str, str]], int]

ENCRYPTED_FIELDS = ("id_number", "phone", "address", "health_notes")
# The fields a row may set, each with a bit in a Valid's last item.
FIELD_BITS = {name: 1 << i for i, name in enumerate(IMPORT_FIELDS)}


def plan_for(now: dt.datetime) -> list[tuple[str, str, Any]]:
    """How each column of the retiree table gets its value in a new row: (attname, kind, default).

    Kinds: value (as is), encrypted (the token), json, date (converted as the ORM would), now
    (the import's time, converted), org. The default is the field's, for values a sheet lacks.
    """
    plan: list[tuple[str, str, Any]] = []
    for f in Retiree._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((f.attname, "now", f.get_db_prep_save(now, connection)))
        elif f.attname == "org_id":
            plan.append((f.attname, "org", None))
        elif f.attname in ENCRYPTED_FIELDS:
            plan.append((f.attname, "encrypted", f.get_default()))
        elif isinstance(f, models.JSONField):
            plan.append((f.attname, "json", f.get_default()))
        elif isinstance(f, models.DateTimeField) and f.attname not in FIELD_BITS and f.get_default() is None:
            plan.append((f.attname, "value", None))  # lifecycle times no sheet sets (deleted_at)
        elif isinstance(f, models.DateField):
            plan.append((f.attname, "date", f.get_default()))
        elif type(f).__module__.startswith("django.") and isinstance(
            f, models.CharField | models.TextField | models.IntegerField | models.BooleanField | models.ForeignKey
        ):
            plan.append((f.attname, "value", f.get_default()))
        else:  # a field type this import does not know how to write fast: let it say so
            raise TypeError(f"imports: add a conversion for {f.name} ({type(f).__name__})")
    return plan


class _Derived:
    """Just the attributes Retiree.refresh_derived reads and writes (a model instance costs more)."""

    def __init__(self, cleaned: dict[str, Any]) -> None:
        self.id_number = cleaned.get("id_number", "")
        self.phone = cleaned.get("phone", "")
        self.address = cleaned.get("address", "")
        self.name = cleaned.get("name", "")
        self.special_flags = cleaned.get("special_flags") or []
        self.contributions = cleaned.get("contributions") or []


def check_row(ctx: RowContext, number: int, values: list[Any]) -> Checked | None:
    if blank(values):
        return None
    size = len(values)
    raw = {key: values[i] if i < size else None for i, key in ctx.columns}
    problems: list[tuple[str, str]] = []
    org_id, reason = ctx.org_for(parse_code(raw.pop("org_code", None)))
    if reason:
        problems.append(("org_code", reason))
    cleaned = clean_record(raw, known_regions=ctx.known_regions, today=ctx.today)
    hint = id_hint(raw.get("id_number"))
    for key, message in cleaned.errors:
        problems.append((key, hint if key == "id_number" and hint else message))
    fields = cleaned.values
    if hint and "id_number" in fields and not any(k == "id_number" for k, _m in cleaned.errors):
        # An 18-digit number that Excel rounded may still pass the checksum by chance: never trust it.
        problems.append(("id_number", hint))
        del fields["id_number"]
    id_key = id_key_of(fields["id_number"]) if fields.get("id_number") else 0
    if problems:
        return number, None, problems, [], id_key
    derived = _Derived(fields)
    Retiree.refresh_derived(derived)  # type: ignore[arg-type]
    merged = derived.__dict__
    merged.update(fields)
    adapt_date = ctx.adapt_date
    row = ctx.template.copy()  # defaults, and the import's time in the "now" columns
    by_kind = ctx.by_kind
    for i, attname in by_kind.get("value", ()):
        if attname in merged:
            row[i] = merged[attname]
    for i, attname in by_kind.get("encrypted", ()):
        value = merged.get(attname)
        if value:
            row[i] = encrypt(value)
    for i, attname in by_kind.get("json", ()):
        if attname in merged:
            row[i] = json.dumps(merged[attname])
    for i, attname in by_kind.get("date", ()):
        if attname in merged:
            row[i] = adapt_date(merged[attname])
    for i, _attname in by_kind.get("org", ()):
        row[i] = org_id
    plain = tuple(fields.get(name, "") for name in ENCRYPTED_FIELDS)
    mask = 0
    for key in fields:
        mask |= FIELD_BITS[key]
    warnings = cleaned.warnings
    payload = copy_line(row) if ctx.copy_lines else row
    return number, (org_id, row[ctx.hash_at], payload, plain, mask), [], warnings, id_key


def check_rows(ctx: RowContext, rows: list[Row]) -> list[Checked | None]:
    return [check_row(ctx, number, values) for number, values in rows]


def id_key_of(number: str) -> int:
    """A compact key for an 18-character ID number (duplicates in a million-row file cost little)."""
    return int(number[:17]) * 11 + "0123456789X".index(number[17])


def id_hint(value: Any) -> str:
    """A plainer reason for the two ways ID numbers get spoiled before they reach us."""
    text = str(value or "")
    if "*" in text:
        return _("is a masked number (exported without the right to see whole numbers): write the whole ID number")
    if isinstance(value, float) and abs(value) >= 1e16:
        return _(
            "was saved as a number: Excel keeps only 15 significant digits, so the last ones are lost. "
            "Format the column as text and write the numbers again"
        )
    return ""


def table_columns() -> list[str]:
    """The table's columns in plan_for's order (every concrete field but the id)."""
    return [f.column or f.attname for f in Retiree._meta.concrete_fields if not f.primary_key]


def copy_line(row: list[Any]) -> bytes:
    """A row as one line of PostgreSQL's COPY text format.

    Valid rows are formatted where they are checked (worker processes), so that the parent
    receives one bytes object a row and only joins them: unpickling some 50 Python values a
    row and formatting them again took about a third of the parent's time (measured with
    benchmarks/import_retirees.py). psycopg's own formatter does it (its C code, through
    a module that is not public API: psycopg's version is pinned and the PostgreSQL import
    tests write and read back every kind of column through it).
    """
    from psycopg._copy_base import format_row_text

    out = bytearray()
    format_row_text(row, _copy_transformer(), out)
    return bytes(out)


@cache
def _copy_transformer() -> Any:
    from psycopg.adapt import Transformer

    return Transformer()  # the default adapters: a worker has no connection

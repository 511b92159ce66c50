"""Checking one import row: the registry's rules, then the row as the table stores it.

Pure (no database): runs in the import's worker processes too. A valid row comes back
encrypted and converted, on PostgreSQL as its COPY line, so that the parent only joins
lines (see `copy_line`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection, models

from yinling.core.crypto import encrypt
from yinling.core.sheets import Row, blank
from yinling.core.sheets.cells import code as parse_code
from yinling.registry.models import Retiree
from yinling.registry.schema import BY_KEY
from yinling.registry.validation import clean_record

# The validation rules (validation.py, idcard.py) speak English message ids that the catalogue
# does not translate yet; an import's reasons must be plain Chinese, so they are put into Chinese
# here. A message that is already translated (or unknown) passes through unchanged.

_ZH: list[tuple[str, str]] = [
    (r"is required", "必须填写"),
    (r"is required \(离休 or 退休\)", "必须填写（离休或退休）"),
    (
        r"is required for 离休 \(work started on or before 1949-09-30\)",
        "离休人员必须填写（应在 1949 年 9 月 30 日及以前参加工作）",
    ),
    (
        r"is after 1949-09: 离休 requires work started on or before 1949-09-30",
        "晚于 1949 年 9 月：离休人员应在 1949 年 9 月 30 日及以前参加工作",
    ),
    (r"is required when the status is 离世", "状态为离世时必须填写"),
    (r"is not a date \(write it like 1945-03-01\)", "不是日期（请写成 1945-03-01 这样）"),
    (r"is not a real date", "不是真实存在的日期"),
    (r"is not a month \(write it like 1968-08\)", "不是年月（请写成 1968-08 这样）"),
    (r"is not a real month", "不是真实存在的年月"),
    (
        r"is not a valid mainland phone number \(11-digit mobile, or landline like 0571-88888888\)",
        "不是有效的电话号码（11 位手机号，或 0571-88888888 这样的固定电话）",
    ),
    (r"must be one of: (?P<options>.*)", "只能填写：{options}"),
    (r"must be 是 or 否", "只能填写“是”或“否”"),
    (r"is not one of the 56 ethnic groups \(GB/T 3304\)", "不是 56 个民族之一（按 GB/T 3304 填写）"),
    (r"is longer than (?P<n>\d+) characters", "超过 {n} 个字"),
    (r"is in the future", "晚于今天"),
    (r"is before the birth date", "早于出生日期"),
    (
        r"does not match the ID number \(its sequence digit says (?P<g>.+)\)",
        "与身份证号不一致（按身份证号应为{g}）",
    ),
    (
        r"does not match the birth date in the ID number \((?P<d>[\d-]+)\)",
        "与身份证号中的出生日期（{d}）不一致",
    ),
    (
        r"region code (?P<code>\d+) is not a current division \(kept\)",
        "前 6 位地区码 {code} 不是现行行政区划代码（仍会导入）",
    ),
    (r"15-digit numbers contain digits only", "15 位的旧号码只能由数字组成"),
    (
        r"must have 18 characters \(or 15 for old numbers\), got (?P<n>\d+)",
        "应为 18 位（旧号码为 15 位），这里是 {n} 位",
    ),
    (r"only digits, and X as the last character, are allowed", "只能是数字，最后一位可以是 X"),
    (r"the birth date (?P<d>\d+) in it is not a real date", "其中的出生日期 {d} 不是真实存在的日期"),
    (r"the birth date (?P<d>[\d-]+) in it is impossible", "其中的出生日期 {d} 不可能（晚于今天或早于 1890 年）"),
    (r"check digit is wrong \(expected (?P<c>.)\)", "校验位（最后一位）不对，按前 17 位应为 {c}，请核对号码"),
]
_ZH_COMPILED = [(re.compile(pattern), template) for pattern, template in _ZH]


def zh(message: str) -> str:
    for pattern, template in _ZH_COMPILED:
        m = pattern.fullmatch(message)
        if m:
            return template.format(**m.groupdict())
    return message


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
                return 0, f"单位代码 {code} 不存在，请核对"
            pk, _path, active = org
            if not active:
                return 0, f"单位 {code} 已停用"
            if pk not in self.allowed:
                return 0, f"单位 {code} 不在您可以导入的范围内"
            return pk, ""
        if self.default_org is None:
            return 0, "没有填写，导入时也没有指定默认单位"
        pk, _path, default_code = self.default_org
        if pk not in self.allowed:
            return 0, f"默认单位 {default_code} 不在您可以导入的范围内"
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
        problems.append((key, hint if key == "id_number" and hint else zh(message)))
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
    warnings = [(key, zh(message)) for key, message in cleaned.warnings]
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
        return "是打码的号码（导出时没有查看完整号码的权限），请填写完整的身份证号"
    if isinstance(value, float) and abs(value) >= 1e16:
        return "是以数字格式保存的，Excel 只保留 15 位有效数字，后几位已经丢失：请把这一列设为“文本”后重新填写号码"
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

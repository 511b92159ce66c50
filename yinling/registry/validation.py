"""Normalise and validate one retiree record, whatever it came from (sheet, form, API).

Written as plain functions rather than a Django form because the import validates
100,000 rows a minute: per-row ModelForm.full_clean() is an order of magnitude slower.
Forms and the API call the same functions, so the rules are the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.core.sheets import SheetColumn, SheetSchema
from yinling.core.sheets.cells import Month, parse_date, parse_date_or_month, parse_month, text
from yinling.core.sheets.cells import code as parse_code
from yinling.registry import choices, idcard
from yinling.registry.schema import BY_KEY, COLUMNS, Column, status_labels

__all__ = ["parse_date", "parse_month", "text"]  # re-exported: the forms and tests use them from here

LIXIU_CUTOFF = "1949-09"  # joined the revolution on or before 1949-09-30
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_SPACES = re.compile(r"[\s\u3000]+")
_PHONE_NOISE = re.compile(r"[\s\u3000()（）]")
_SEPARATORS = re.compile(r"[,，、;；/\s]+")


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.append((key, message))


def clean_name(value: Any) -> str:
    # Two-character names are padded with a (full-width) space in many sheets: 张　三.
    s = text(value)
    # No whitespace is the common case; isprintable() is False for every whitespace but " ".
    return s if s.isprintable() and " " not in s else _SPACES.sub("", s)


def parse_phone(value: Any) -> str:
    s = _PHONE_NOISE.sub("", text(value))
    if s.startswith("+86"):
        s = s[3:]
    if not s:
        return ""
    if MOBILE_RE.match(s.replace("-", "")):
        return s.replace("-", "")  # 138-0013-8000, as mobiles are often written
    if LANDLINE_RE.match(s):
        return s
    raise ValueError(_("is not a valid mainland phone number (11-digit mobile, or landline like 0571-88888888)"))


@lru_cache(maxsize=64)
def _lookup(key: str) -> tuple[dict[str, str], frozenset[str]]:
    """Label → code and the set of codes, per column (built once: imports call this per cell)."""
    col = BY_KEY[key]
    assert col.enum is not None
    by_label = {str(label): str(code) for code, label in col.enum.choices}
    if key == "status":
        by_label.update(status_labels())
    return by_label, frozenset(str(v) for v in col.enum.values)


def parse_choice(value: Any, col: Column) -> str:
    s = clean_name(value)
    if not s:
        return ""
    by_label, codes = _lookup(col.key)
    if s in by_label:
        return by_label[s]
    if s in codes:
        return s
    if col.key == "gender" and s in ("男性", "女性"):
        return by_label[s[0]]
    raise ValueError(_("must be one of: %(options)s") % {"options": "、".join(by_label)})


def parse_multi(value: Any, col: Column) -> list[str]:
    if isinstance(value, list | tuple):
        parts = [text(v) for v in value]
    else:
        parts = [p for p in _SEPARATORS.split(text(value)) if p]
    result = []
    for part in parts:
        code = parse_choice(part, col)
        if code and code not in result:
            result.append(code)
    return result


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = clean_name(value).lower()
    if s in ("", "否", "无", "n", "no", "false", "0"):
        return False
    if s in ("是", "有", "y", "yes", "true", "1"):
        return True
    raise ValueError(_("must be 是 or 否"))


@lru_cache(maxsize=1)
def _ethnic_lookup() -> tuple[dict[str, str], frozenset[str]]:
    """Name (with and without 族) → code, and the codes: built once, not per cell."""
    by_name: dict[str, str] = {}
    for code, name in choices.ethnic_choices():
        by_name.setdefault(name, code)
        by_name.setdefault(name.removesuffix("族"), code)
    return by_name, frozenset(code for code, _n in choices.ethnic_choices())


def parse_ethnic(value: Any) -> str:
    s = clean_name(value)
    if not s:
        return "01"
    by_name, codes = _ethnic_lookup()
    if s.zfill(2) in codes:
        return s.zfill(2)
    if s in by_name:
        return by_name[s]
    raise ValueError(_("is not one of the 56 ethnic groups (GB/T 3304)"))


def _parse_id(value: Any, today: dt.date) -> idcard.IdInfo:
    info = idcard.parse(value, today=today) if text(value) else None
    if info is None:
        raise ValueError(_("is required"))
    return info


def _parser(col: Column) -> Callable[[Any], Any]:
    if col.kind == "choice":
        return partial(parse_choice, col=col)
    if col.kind == "multi":
        return partial(parse_multi, col=col)
    if col.key == "name":
        return clean_name
    if col.key == "birth_date":
        # Sheets write birth dates to the month as often as to the day (出生年月 1950.03):
        # _cross_checks completes a month from the ID number's birth date when they agree.
        return parse_date_or_month
    by_kind: dict[str, Callable[[Any], Any]] = {
        "date": parse_date,
        "month": parse_month,
        "phone": parse_phone,
        "bool": parse_bool,
        "ethnic": parse_ethnic,
    }
    return by_kind.get(col.kind, text)


def _parse_id_cell(value: Any) -> idcard.IdInfo | None:
    """An ID number cell as the sheet schema sees it (clean_record checks it against its own day)."""
    return idcard.parse(value) if text(value) else None


@lru_cache(maxsize=1)
def sheet() -> SheetSchema:
    """The registry's columns as a sheet schema: headers and aliases (schema.py) with their parsers."""
    columns = []
    for col in COLUMNS:
        parse: Callable[[Any], Any]
        if col.key == "org_code":
            parse = parse_code  # looked up by the import, which knows the org tree
        elif col.kind == "id":
            parse = _parse_id_cell
        else:
            parse = _parser(col)
        columns.append(SheetColumn(col.key, col.header, col.aliases, parse, col.required, col.max_length))
    return SheetSchema(columns, anchors=("name", "id_number"))


@lru_cache(maxsize=1)
def _parsers() -> list[tuple[str, Callable[[Any], Any] | None, int]]:
    """(key, parse, max length) per column, in COLUMNS order: worked out once, not per cell.

    The ID number's parse is None: it needs the day (see clean_record). org_code is the
    caller's business (an org lookup) and is left out.
    """
    return [
        (col.key, None if col.key == "id_number" else col.parse, col.max_length)
        for col in sheet().columns
        if col.key != "org_code"
    ]


def clean_record(
    raw: dict[str, Any], *, known_regions: set[str] | None = None, today: dt.date | None = None
) -> Cleaned:
    """Validate a record given by column keys. Unknown keys are ignored."""
    today = today or timezone.localdate()  # the bureau's day (Asia/Shanghai), not the server's
    out = Cleaned()
    v = out.values
    for key, parse, max_length in _parsers():
        if key not in raw:
            continue
        value = raw[key]
        try:
            if parse is None:
                info = _parse_id(value, today)
                v["id_number"] = info.number
                v["_id_info"] = info
                continue
            v[key] = result = parse(value)
            if max_length and result and len(result) > max_length:
                raise ValueError(_("is longer than %(n)d characters") % {"n": max_length})
        except (ValueError, idcard.IdNumberError) as exc:
            out.error(key, str(exc))
    _cross_checks(out, today, known_regions)
    return out


def _cross_checks(out: Cleaned, today: dt.date, known_regions: set[str] | None) -> None:
    v = out.values
    failed = {key for key, _m in out.errors}
    if "name" in v and not v["name"] and "name" not in failed:
        out.error("name", _("is required"))
    info: idcard.IdInfo | None = v.pop("_id_info", None)
    if info is not None:
        if v.get("gender") and v["gender"] != info.gender:
            out.error(
                "gender",
                _("does not match the ID number (its sequence digit says %(g)s)")
                % {"g": choices.Gender(info.gender).label},
            )
        elif not v.get("gender"):
            v["gender"] = info.gender
        if isinstance(v.get("birth_date"), Month) and v["birth_date"].contains(info.birth_date):
            v["birth_date"] = info.birth_date
        if v.get("birth_date") and v["birth_date"] != info.birth_date:
            out.error(
                "birth_date",
                _("does not match the birth date in the ID number (%(d)s)") % {"d": info.birth_date.isoformat()},
            )
        elif not v.get("birth_date"):
            v["birth_date"] = info.birth_date
        if known_regions is not None and info.region not in known_regions:
            out.warnings.append(
                ("id_number", _("region code %(code)s is not a current division (kept)") % {"code": info.region})
            )
    if isinstance(v.get("birth_date"), Month):
        # No readable ID number to take the day from (that failure is reported on its own).
        month = v.pop("birth_date")
        if "birth_date" not in {key for key, _m in out.errors}:
            out.error("birth_date", _("is not a date but a month (%(month)s): write the full date") % {"month": month})
    if v.get("birth_date") and v["birth_date"] > today:
        out.error("birth_date", _("is in the future"))
    if "category" in v and not v["category"] and "category" not in failed:
        out.error("category", _("is required (离休 or 退休)"))
    if v.get("category") == choices.Category.LIXIU:
        started = v.get("work_started", "")
        if not started:
            out.error("work_started", _("is required for 离休 (work started on or before 1949-09-30)"))
        elif started > LIXIU_CUTOFF:
            out.error("work_started", _("is after 1949-09: 离休 requires work started on or before 1949-09-30"))
    if v.get("deceased_on"):
        if v["deceased_on"] > today:
            out.error("deceased_on", _("is in the future"))
        elif v.get("birth_date") and v["deceased_on"] < v["birth_date"]:
            out.error("deceased_on", _("is before the birth date"))
        if not v.get("status"):
            v["status"] = choices.Status.DECEASED
    if v.get("status") == choices.Status.DECEASED and "deceased_on" in v and not v.get("deceased_on"):
        out.error("deceased_on", _("is required when the status is 离世"))
    if "status" in v and not v["status"]:
        v["status"] = choices.Status.ACTIVE


def header_of(key: str) -> str:
    col = BY_KEY.get(key)
    return col.header if col else key

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
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from django.utils.translation import gettext as _

from yinling.registry import choices, idcard
from yinling.registry.schema import BY_KEY, COLUMNS, Column, status_labels

LIXIU_CUTOFF = "1949-09"  # joined the revolution on or before 1949-09-30
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_SPACES = re.compile(r"[\s\u3000]+")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?")
_PHONE_NOISE = re.compile(r"[\s\u3000()（）]")
_SEPARATORS = re.compile(r"[,，、;；/\s]+")
_FULLWIDTH_DIGITS = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９－．"}


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.append((key, message))


def text(value: Any) -> str:
    if value.__class__ is str:  # most cells: skip the number checks (an import calls this 30 times a row)
        s = value.strip()
        return s.replace("\u3000", " ").strip() if "\u3000" in s else s
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return str(value).strip().replace("\u3000", " ").strip()


def clean_name(value: Any) -> str:
    # Two-character names are padded with a (full-width) space in many sheets: 张　三.
    s = text(value)
    # No whitespace is the common case; isprintable() is False for every whitespace but " ".
    return s if s.isprintable() and " " not in s else _SPACES.sub("", s)


def parse_date(value: Any) -> dt.date | None:
    """Excel dates and text: 1945-03-01, 1945/3/1, 1945.03.01, 1945年3月1日, 19450301."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = text(value).translate(_FULLWIDTH_DIGITS)
    m = _DATE_DIGITS.fullmatch(s) or _DATE_TEXT.fullmatch(s)
    if not m:
        raise ValueError(_("is not a date (write it like 1945-03-01)"))
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError(_("is not a real date")) from exc


def parse_month(value: Any) -> str:
    """Month precision: 1968.08, 1968-08, 1968年8月, 196808, 19680801 or an Excel date → "1968-08"."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and not value.is_integer():
        # 1968.08 typed into a number cell.
        s = f"{value:.2f}"
    else:
        s = text(value).translate(_FULLWIDTH_DIGITS)
    m = _MONTH_DIGITS.fullmatch(s) or _MONTH_TEXT.fullmatch(s)
    if not m:
        raise ValueError(_("is not a month (write it like 1968-08)"))
    year, month = int(m[1]), int(m[2])
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(_("is not a real month"))
    return f"{year:04d}-{month:02d}"


def parse_phone(value: Any) -> str:
    s = _PHONE_NOISE.sub("", text(value).translate(_FULLWIDTH_DIGITS))
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
    by_kind: dict[str, Callable[[Any], Any]] = {
        "date": parse_date,
        "month": parse_month,
        "phone": parse_phone,
        "bool": parse_bool,
        "ethnic": parse_ethnic,
    }
    return by_kind.get(col.kind, text)


@lru_cache(maxsize=1)
def _parsers() -> list[tuple[str, Callable[[Any], Any] | None, int]]:
    """(key, parse, max length) per column, in COLUMNS order: worked out once, not per cell.

    The ID number's parse is None: it needs the day (see clean_record). org_code is the
    caller's business (an org lookup) and is left out.
    """
    return [
        (col.key, None if col.kind == "id" else _parser(col), col.max_length)
        for col in COLUMNS
        if col.key != "org_code"
    ]


def clean_record(
    raw: dict[str, Any], *, known_regions: set[str] | None = None, today: dt.date | None = None
) -> Cleaned:
    """Validate a record given by column keys. Unknown keys are ignored."""
    today = today or dt.date.today()
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
                % {"g": "男" if info.gender == "M" else "女"},
            )
        elif not v.get("gender"):
            v["gender"] = info.gender
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

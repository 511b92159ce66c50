"""Generic cell parsers: text, dates at any precision, numbers and codes, as Chinese office sheets write them.

Every parser starts from `text()`, which turns full-width digits and Latin letters (what a
Chinese input method types in full-width mode: ２０２０年１月, ＡＢＣ) into ASCII, so that
every column, codes included, reads them alike. A parser returns the clean value or raises
ValueError with a message already translated into the active language.

Dates: 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日 (or 号), 20200105, 2020-01-05 00:00:00,
Excel dates (datetime cells), Excel serial numbers in cells not formatted as dates (43835),
and at month precision 2020-01, 2020/1, 2020.1, 2020年1月, 202001, or 2020.01 typed into a
number cell. `parse_date_or_month` returns a `dt.date` or a `Month`; the columns decide what
they do with a month (a month column keeps it, a full-date column may complete it from
another source, such as the birth date in an ID number).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

# Full-width digits, Latin letters and the few signs that appear inside numbers, dates and codes.
_FULLWIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},  # ０-９
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},  # Ａ-Ｚ
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},  # ａ-ｚ
    **{ord(c): ord(c) - 0xFEE0 for c in "－．／＋"},
    0x3000: 0x20,  # the ideographic space
}
_HAS_FULLWIDTH = re.compile(r"[\uff0b\uff0d-\uff0f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")

# Excel's day 0 in the 1900 date system (the 1900 leap-year bug makes serials from 61 on count from here).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials read as dates in a cell that is not formatted as one: 1906-01-09 .. 2099-12-31. Smaller
# numbers are refused rather than read: 1950 in a date cell is a year, not 1905-05-03.
_SERIAL_RANGE = (2201, 73050)
_YEARS = (1800, 2200)
_MONTH_YEARS = (1890, 2100)  # month-precision dates are the registry's lifetimes (DOMAIN: born 1890 or later)


class _NotUnderstood(ValueError):
    """Not a date in any spelling we know; the caller says what it expected (a date, a month)."""


_DAY_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_DIGITS = re.compile(r"(\d{4})(\d{2})")
# 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日, 2020 年 1 月 5 号, with an optional time after it.
_DAY_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[\sT]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?"
)
# 2020-01, 2020/1, 2020.1, 2020年1月.
_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


class Month(NamedTuple):
    """A date known to the month only (入党时间 1968年8月, or a birth date written 1950.03)."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def contains(self, day: dt.date) -> bool:
        return (day.year, day.month) == (self.year, self.month)


def text(value: Any) -> str:
    """A cell as stripped text: numbers without a spurious ".0", full-width letters and digits as ASCII."""
    if value.__class__ is str:  # most cells: skip the number checks (an import calls this 30 times a row)
        s = value
    elif value is None:
        return ""
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, Decimal) and value == value.to_integral_value()
    ):
        s = str(int(value))
    else:
        s = str(value)
    if not s.isascii() and _HAS_FULLWIDTH.search(s):
        s = s.translate(_FULLWIDTH)
    return s.strip()


def code(value: Any) -> str:
    """A code (org code, document number): text without inner spaces; 330106.0 from a number cell is 330106."""
    s = text(value)
    if " " in s or "\t" in s:
        s = re.sub(r"\s+", "", s)
    return s[:-2] if s.endswith(".0") and s[:-2].isdigit() else s


def _serial(number: float) -> dt.date | None:
    if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=int(number))
    return None


def _day(year: int, month: int, day: int) -> dt.date:
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise ValueError(_("is not a real date"))
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(_("is not a real date")) from exc


def _month(year: int, month: int) -> Month:
    if not (_MONTH_YEARS[0] <= year <= _MONTH_YEARS[1] and 1 <= month <= 12):
        raise ValueError(_("is not a real month"))
    return Month(year, month)


def _number_as_date(value: int | float) -> dt.date | Month:
    """A number cell: 20200105, 202001, 2020.01 / 2020.1 (year.month typed as a number), or an Excel serial."""
    if isinstance(value, float) and not value.is_integer():
        if 1000 <= value < 10000:
            # 1968.08 and 1968.8 read as August; 1968.10 reaches us as 1968.1 and reads as October,
            # as the two-decimal spelling (the common one in these sheets) means.
            digits = f"{value:.2f}"
            year, month = int(digits[:4]), int(digits[5:])
            if month > 12:
                month = int(repr(value).partition(".")[2])
            return _month(year, month)
        serial = _serial(value)
        if serial is not None:
            return serial
        raise _NotUnderstood
    return _digits_as_date(str(int(value)), number=True)


def _digits_as_date(s: str, *, number: bool = False) -> dt.date | Month:
    if len(s) == 8 and (m := _DAY_DIGITS.fullmatch(s)):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if len(s) == 6 and (m := _MONTH_DIGITS.fullmatch(s)):
        return _month(int(m[1]), int(m[2]))
    if (len(s) == 5 or (number and len(s) <= 5)) and (serial := _serial(int(s))) is not None:
        return serial
    raise _NotUnderstood


def _parse(value: Any) -> dt.date | Month | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _NotUnderstood
    if isinstance(value, int | float):
        return _number_as_date(value)
    s = text(value)
    if not s:
        return None
    if s.isdigit():
        return _digits_as_date(s)
    if m := _DAY_TEXT.fullmatch(s):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _MONTH_TEXT.fullmatch(s):
        return _month(int(m[1]), int(m[2]))
    raise _NotUnderstood


def parse_date_or_month(value: Any) -> dt.date | Month | None:
    """Any date a Chinese office sheet writes, at day or month precision; None for an empty cell."""
    try:
        return _parse(value)
    except _NotUnderstood:
        raise ValueError(_("is not a date (write it like 1945-03-01)")) from None


def parse_date(value: Any) -> dt.date | None:
    """A full date; a month alone is refused (the caller has no day to complete it with)."""
    parsed = parse_date_or_month(value)
    if isinstance(parsed, Month):
        raise ValueError(_("is not a date but a month (%(month)s): write the full date") % {"month": parsed})
    return parsed


def parse_month(value: Any) -> str:
    """Month precision, as "1968-08": any date format; a full date keeps its month."""
    try:
        parsed = _parse(value)
    except _NotUnderstood:
        raise ValueError(_("is not a month (write it like 1968-08)")) from None
    if parsed is None:
        return ""
    return str(_month(parsed.year, parsed.month))


def parse_decimal(value: Any) -> Decimal | None:
    """A number written in a cell: 1,234.5, １２３, ¥ 300, 300元; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(_("is not a number"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    s = text(value).replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    if not s:
        return None
    try:
        number = Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(_("is not a number")) from exc
    if not number.is_finite():
        raise ValueError(_("is not a number"))
    return number


def parse_int(value: Any) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(_("is not a whole number"))
    return int(number)

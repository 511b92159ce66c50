"""Form fields that read dates, times and numbers as Chinese offices type them.

Staff copy dates from paper and spreadsheets: 2026年6月1日, 2026.6.1, 2026/6/1, full-width digits
(２０２６年６月１日), a time after it (2026年6月1日 9:00, 9点30分), hours with a Chinese full stop
(1。5) or a unit (1.5小时). The browser's date picker sends ISO dates, which still read first; these
spellings are the fallback, parsed by the same rules as the imports (`core.sheets.cells`). A value that
is none of them is the field's ordinary "invalid" error, shown beside the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from yinling.core.sheets.cells import parse_date, text

# A date in any office spelling, then an optional time: 9:00, 09：30, 9点, 9点30分, 9时30分.
_MOMENT = re.compile(
    r"(?P<date>\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?)"
    r"(?:\s*T?\s*(?P<hour>\d{1,2})\s*[:：点时]\s*(?:(?P<minute>\d{1,2})\s*分?)?)?"
)
_HOUR_UNITS = ("个小时", "小时", "hours", "hour", "hrs", "h")


def office_date(value: Any) -> dt.date | None:
    """A date as offices write it, or None when it is not one (the caller reports the field's error)."""
    try:
        return parse_date(value)
    except ValueError:
        return None


def office_moment(value: Any) -> str | None:
    """ "2026年6月1日 9点30分" → "2026-06-01 09:30" (ISO, naive: the caller applies the time zone); None
    when the text is no date-and-time in an office spelling."""
    m = _MOMENT.fullmatch(text(value)) if isinstance(value, str) else None
    if m is None or m["hour"] is None:
        return None
    day = office_date(m["date"])
    hour, minute = int(m["hour"]), int(m["minute"] or 0)
    if day is None or hour > 23 or minute > 59:
        return None
    return f"{day.isoformat()} {hour:02d}:{minute:02d}"


def office_number(value: str) -> str:
    """Hours and amounts: full-width digits, a Chinese full stop for the point, a unit after the number."""
    s = text(value).replace("。", ".").replace("．", ".").replace(" ", "")
    for unit in _HOUR_UNITS:
        if s.lower().endswith(unit):
            return s[: -len(unit)]
    return s


class OfficeDateField(forms.DateField):
    def to_python(self, value: Any) -> dt.date | None:
        try:
            return super().to_python(value)
        except ValidationError:
            parsed = office_date(value) if isinstance(value, str) else None
            if parsed is None:
                raise
            return parsed


class OfficeDateTimeField(forms.DateTimeField):
    def to_python(self, value: Any) -> dt.datetime | None:
        try:
            return super().to_python(value)
        except ValidationError:
            moment = office_moment(value)
            if moment is None:
                raise
            return super().to_python(moment)


class OfficeDecimalField(forms.DecimalField):
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = office_number(value)
        return super().to_python(value)

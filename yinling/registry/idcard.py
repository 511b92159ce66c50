"""Resident identity card numbers (GB 11643-1999): normalise, validate, convert, derive.

18 digits: 6-digit region, YYYYMMDD birth date, 3-digit sequence (odd = male), and a
check character. Old 15-digit numbers have a 2-digit year (19xx) and no check digit.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９Ｘｘ"}


class IdNumberError(ValueError):
    pass


def normalise(raw: object) -> str:
    """Full-width digits, lower-case x, spaces (also U+3000) and floats from Excel cleaned away."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).translate(_FULLWIDTH)
    if not (text.isalnum() and text.isascii()):
        text = _NOISE.sub("", text)
    return text.upper()


_NOISE = re.compile(r"[\s\u3000'\"‘’“”-]")


def check_char(first17: str) -> str:
    """The check character of 17 digits (the weighted sum of their ASCII codes, less the codes' "0"s)."""
    return CHECK_CHARS[(sum(map(operator.mul, first17.encode(), WEIGHTS)) - _ZEROS) % 11]


_ZEROS = ord("0") * sum(WEIGHTS)


def upgrade15(number15: str) -> str:
    """A 15-digit number as its 18-digit form (century 19, check digit added)."""
    if not re.fullmatch(r"\d{15}", number15):
        raise IdNumberError(_("15-digit numbers contain digits only"))
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


@dataclass(frozen=True)
class IdInfo:
    number: str
    region: str
    birth_date: dt.date
    gender: str  # "M" or "F"
    converted_from_15: bool = False


def parse(raw: object, *, today: dt.date | None = None) -> IdInfo:
    """Validate and describe an ID number; raises IdNumberError with a plain reason."""
    number = normalise(raw)
    converted = False
    if len(number) == 15:
        number = upgrade15(number)
        converted = True
    if len(number) != 18:
        raise IdNumberError(_("must have 18 characters (or 15 for old numbers), got %(n)d") % {"n": len(number)})
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdNumberError(_("only digits, and X as the last character, are allowed"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdNumberError(_("the birth date %(d)s in it is not a real date") % {"d": number[6:14]}) from exc
    if birth > (today or timezone.localdate()) or birth.year < 1890:
        raise IdNumberError(_("the birth date %(d)s in it is impossible") % {"d": birth.isoformat()})
    if check_char(number[:17]) != number[17]:
        raise IdNumberError(_("check digit is wrong (expected %(c)s)") % {"c": check_char(number[:17])})
    gender = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, region=number[:6], birth_date=birth, gender=gender, converted_from_15=converted)


def make(region: str, birth: dt.date, sequence: int, gender: str) -> str:
    """Build a valid number: sequence 0-999 adjusted to the gender's parity."""
    seq = sequence % 1000
    if (seq % 2 == 1) != (gender == "M"):
        seq = seq + 1 if seq < 999 else seq - 1
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask(number: str) -> str:
    """**************1234: only the last four characters (the sequence and check digit) are kept.

    The region is hidden too, though the managing org's code often tells it: what keeps the number
    from being rebuilt is that such roles see only the birth year (`birth_shown`).
    """
    if len(number) < 10:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


def birth_shown(day: dt.date | None) -> str:
    """A birth date as roles without the sensitive right see it: the year only.

    Not the year and month that cadre sheets show: the everyday last-four search tells anyone the last
    four, the managing org's code usually tells the region, and then the check digit leaves about
    three days of a month. Of a year it leaves some thirty (docs/architecture.md).
    """
    return f"{day:%Y}" if day else ""


def age_shown(day: dt.date, today: dt.date) -> int:
    """An age as roles without the sensitive right see it: this year minus the birth year.

    The age to the day changes on the birthday, so watching it (or an age filter's answer) day by day
    gives the birth date back, and with it the ID number (see birth_shown). The year's age cannot.
    """
    return today.year - day.year

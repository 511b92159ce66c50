"""The rotating check-in code an organiser's phone shows (and its QR code): core.codes with volunteering's settings.

The period is `VOLUNTEER_CODE_PERIOD_SECONDS` (default 180 s); wrong tries are limited per volunteer and activity
by `VOLUNTEER_CODE_MAX_MISSES` in `VOLUNTEER_CODE_MISS_WINDOW_SECONDS`. The generic part (the HMAC, the
truncation, the grace period, the try counter) is in yinling/core/codes.py, shared with the campus.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from yinling.core import codes as core_codes
from yinling.core.codes import DIGITS, code_for, new_secret, normalise, qr_svg

__all__ = [
    "DIGITS",
    "code_for",
    "count_miss",
    "current",
    "forget_misses",
    "is_valid",
    "locked_out",
    "new_secret",
    "normalise",
    "period_of",
    "period_seconds",
    "qr_svg",
]


def period_seconds() -> int:
    return int(getattr(settings, "VOLUNTEER_CODE_PERIOD_SECONDS", 180))


def period_of(at: dt.datetime | None = None) -> int:
    return core_codes.period_of(at, period_seconds())


def current(secret: str, at: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """(the code now, when it stops being the current one; it is accepted one period longer)."""
    return core_codes.current(secret, at, period_seconds())


def is_valid(secret: str, entered: str, at: dt.datetime | None = None) -> bool:
    """Whether `entered` is the code of the current period or of the previous one (constant time)."""
    return core_codes.is_valid(secret, entered, at, period_seconds())


def _tries() -> core_codes.Tries:
    return core_codes.Tries(
        "volunteering", settings.VOLUNTEER_CODE_MAX_MISSES, settings.VOLUNTEER_CODE_MISS_WINDOW_SECONDS
    )


def _misses_key(volunteer_id: int, activity_id: int) -> str:
    return _tries().key(volunteer_id, activity_id)


def locked_out(volunteer_id: int, activity_id: int) -> bool:
    """Whether this volunteer has entered too many wrong codes for this activity lately."""
    return _tries().locked_out(volunteer_id, activity_id)


def count_miss(volunteer_id: int, activity_id: int) -> None:
    """One more wrong code; the window starts at the first miss (a fixed window, not a sliding one)."""
    _tries().miss(volunteer_id, activity_id)


def forget_misses(volunteer_id: int, activity_id: int) -> None:
    _tries().forget(volunteer_id, activity_id)

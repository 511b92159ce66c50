"""The rotating check-in code an organiser's phone shows (and its QR code).

code = HMAC-SHA256(activity.code_secret, period index) reduced to 6 digits, where the period index is
the Unix time divided by `VOLUNTEER_CODE_PERIOD_SECONDS` (default 180 s). A code is accepted during its
own period and the next one (a volunteer who read it just before it changed still gets in), and is
compared in constant time. The secret is made when the activity is created and never shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import timezone

from yinling.core import ratelimit

DIGITS = 6


def new_secret() -> str:
    return secrets.token_hex(32)


def period_seconds() -> int:
    return int(getattr(settings, "VOLUNTEER_CODE_PERIOD_SECONDS", 180))


def period_of(at: dt.datetime | None = None) -> int:
    moment = at or timezone.now()
    return int(moment.timestamp()) // period_seconds()


def code_for(secret: str, period: int) -> str:
    digest = hmac.new(secret.encode(), str(period).encode(), hashlib.sha256).digest()
    # Dynamic truncation as in HOTP (RFC 4226): 31 bits from an offset chosen by the last nibble.
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def current(secret: str, at: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """(the code now, when it stops being the current one; it is accepted one period longer)."""
    period = period_of(at)
    valid_until = dt.datetime.fromtimestamp((period + 1) * period_seconds(), tz=dt.UTC)
    return code_for(secret, period), valid_until


def normalise(entered: str) -> str:
    """What a person typed, as digits: spaces and full-width digits are forgiven ("４８３ ９２０")."""
    text = "".join(str(entered or "").split())
    return text.translate({0xFF10 + i: ord("0") + i for i in range(10)})


def is_valid(secret: str, entered: str, at: dt.datetime | None = None) -> bool:
    """Whether `entered` is the code of the current period or of the previous one (constant time)."""
    text = normalise(entered)
    if len(text) != DIGITS or not text.isascii() or not text.isdigit() or not secret:
        return False
    period = period_of(at)
    matches = [hmac.compare_digest(code_for(secret, p), text) for p in (period, period - 1)]
    return any(matches)


def _misses_key(volunteer_id: int, activity_id: int) -> str:
    return f"volunteering:code-misses:{activity_id}:{volunteer_id}"


def locked_out(volunteer_id: int, activity_id: int) -> bool:
    """Whether this volunteer has entered too many wrong codes for this activity lately.

    Without it a 6-digit code (two valid at any moment) falls to a script in hours; with it a guess
    succeeds about once in 100,000 windows."""
    return ratelimit.hits(_misses_key(volunteer_id, activity_id)) >= settings.VOLUNTEER_CODE_MAX_MISSES


def count_miss(volunteer_id: int, activity_id: int) -> None:
    """One more wrong code; the window starts at the first miss (a fixed window, not a sliding one)."""
    ratelimit.hit(_misses_key(volunteer_id, activity_id), settings.VOLUNTEER_CODE_MISS_WINDOW_SECONDS)


def forget_misses(volunteer_id: int, activity_id: int) -> None:
    ratelimit.forget(_misses_key(volunteer_id, activity_id))


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (the organiser's page)."""
    img = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buf = BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg") :]

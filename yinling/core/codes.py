"""Rotating check-in codes: 6 digits from an HMAC of a time period, shown on an organiser's or teacher's phone.

code = HMAC-SHA256(secret, period index) reduced to 6 digits (HOTP's dynamic truncation, RFC 4226), where the
period index is the Unix time divided by the period length in seconds. A code is accepted during its own
period and the next one (someone who read it just before it changed still gets in), compared in constant
time. The secret is made with the object it belongs to and never shown.

A six-digit code (two valid at any moment) falls to a script in hours unless wrong tries are limited:
`Tries` counts them per person and object in a fixed window (core.ratelimit). Volunteering's activities and
the campus's class meetings both use this module, each with its own settings for the period and the tries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.utils import timezone

from yinling.core import ratelimit

DIGITS = 6
DEFAULT_PERIOD = 180


def new_secret() -> str:
    return secrets.token_hex(32)


def period_of(at: dt.datetime | None = None, seconds: int = DEFAULT_PERIOD) -> int:
    moment = at or timezone.now()
    return int(moment.timestamp()) // seconds


def code_for(secret: str, period: int) -> str:
    digest = hmac.new(secret.encode(), str(period).encode(), hashlib.sha256).digest()
    # Dynamic truncation as in HOTP (RFC 4226): 31 bits from an offset chosen by the last nibble.
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def current(secret: str, at: dt.datetime | None = None, seconds: int = DEFAULT_PERIOD) -> tuple[str, dt.datetime]:
    """(the code now, when it stops being the current one; it is accepted one period longer)."""
    period = period_of(at, seconds)
    valid_until = dt.datetime.fromtimestamp((period + 1) * seconds, tz=dt.UTC)
    return code_for(secret, period), valid_until


def normalise(entered: str | None) -> str:
    """What a person typed, as digits: spaces and full-width digits are forgiven ("４８３ ９２０")."""
    text = "".join(str(entered or "").split())
    return text.translate({0xFF10 + i: ord("0") + i for i in range(10)})


def is_valid(secret: str, entered: str | None, at: dt.datetime | None = None, seconds: int = DEFAULT_PERIOD) -> bool:
    """Whether `entered` is the code of the current period or of the previous one (constant time)."""
    text = normalise(entered)
    if len(text) != DIGITS or not text.isascii() or not text.isdigit() or not secret:
        return False
    period = period_of(at, seconds)
    matches = [hmac.compare_digest(code_for(secret, p), text) for p in (period, period - 1)]
    return any(matches)


@dataclass(frozen=True)
class Tries:
    """Wrong codes one person entered for one object, counted in a fixed window that starts at the first miss.

    `prefix` names the kind of object ("volunteering", "campus-meeting"). Make one per check (the limits are
    read from settings then, so a test's settings override takes effect)."""

    prefix: str
    limit: int
    window: int

    def key(self, person_id: int, object_id: int) -> str:
        return f"{self.prefix}:code-misses:{object_id}:{person_id}"

    def locked_out(self, person_id: int, object_id: int) -> bool:
        return ratelimit.hits(self.key(person_id, object_id)) >= self.limit

    def miss(self, person_id: int, object_id: int) -> None:
        ratelimit.hit(self.key(person_id, object_id), self.window)

    def forget(self, person_id: int, object_id: int) -> None:
        ratelimit.forget(self.key(person_id, object_id))


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (the organiser's page)."""
    img = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buf = BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg") :]

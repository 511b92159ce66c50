"""The hour rules of 志愿汇 (DOMAIN.md): credited hours from check-in and check-out, and stars.

Pure functions plus `recompute()`, which refreshes a volunteer's cached totals from the rows that
earn them; call it inside the transaction that changed those rows, holding the volunteer's row lock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from yinling.volunteering.models import Attendance, HonourHours, Volunteer

# Credited hours: whole hours, then the last part-hour: up to 15 min → 0, up to 45 min → 0.5 h, else 1 h.
QUARTER = 15 * 60
THREE_QUARTERS = 45 * 60

# Star levels by credited hours (1★ 100, 2★ 300, 3★ 600, 4★ 1000, 5★ 1500).
STAR_THRESHOLDS: tuple[tuple[int, Decimal], ...] = (
    (5, Decimal("1500")),
    (4, Decimal("1000")),
    (3, Decimal("600")),
    (2, Decimal("300")),
    (1, Decimal("100")),
)


def round_seconds(seconds: float) -> Decimal:
    """Hours credited for a stay of `seconds` (negative or zero gives 0)."""
    if seconds <= 0:
        return Decimal("0")
    whole, rest = divmod(int(seconds), 3600)
    if rest <= QUARTER:
        part = Decimal("0")
    elif rest <= THREE_QUARTERS:
        part = Decimal("0.5")
    else:
        part = Decimal("1")
    return Decimal(whole) + part


def credited(checked_in: dt.datetime, checked_out: dt.datetime, start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours for a stay clipped to the activity's own start and end."""
    begin = max(checked_in, start)
    finish = min(checked_out, end)
    return round_seconds((finish - begin).total_seconds())


def stars_for(hours: Decimal) -> int:
    for stars, threshold in STAR_THRESHOLDS:
        if hours >= threshold:
            return stars
    return 0


def is_barred(volunteer: Volunteer, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return volunteer.barred_until is not None and volunteer.barred_until >= today


# Attendances awaiting the leader's review (a forgotten check-out) do not count until confirmed; hours a
# leader cut count as cut (the attendance's credited_hours holds what is left).
COUNTED = Q(review__in=[Attendance.Review.NONE, Attendance.Review.CONFIRMED, Attendance.Review.CUT])


def recompute(volunteer: Volunteer) -> Volunteer:
    """Refresh the cached credited and honour hours and the stars; saves only when they changed."""
    # Reads on the service's authority: the caller holds the volunteer's row.
    total = Attendance.objects.unrestricted().filter(COUNTED, volunteer=volunteer).aggregate(h=Sum("credited_hours"))[
        "h"
    ] or Decimal("0")
    honour = HonourHours.objects.unrestricted().filter(volunteer=volunteer).aggregate(h=Sum("hours"))["h"] or Decimal(
        "0"
    )
    stars = 0 if is_barred(volunteer) else stars_for(total)
    if (volunteer.credited_hours, volunteer.honour_hours, volunteer.stars) != (total, honour, stars):
        volunteer.credited_hours, volunteer.honour_hours, volunteer.stars = total, honour, stars
        volunteer.save(update_fields=["credited_hours", "honour_hours", "stars"])
    return volunteer

"""Rebuild the board's hours-by-month summary (`HoursByMonth`) from the check-ins.

Derived data, like a volunteer's cached totals: rebuilt whole for the window the board shows, never
edited, so it is not audited. One transaction: readers see the old summary or the new one. On PostgreSQL
two refreshes at once queue on an advisory lock instead of both writing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from yinling.core.panels import month_starts
from yinling.volunteering import hours
from yinling.volunteering.models import Attendance, HoursByMonth

# The months a refresh rebuilds: the board shows 12; one more so a view just after midnight on the 1st,
# before the next refresh, still finds the month that has just become the oldest.
WINDOW_MONTHS = 13
_PG_LOCK_KEY = 0x59_4C_48_42  # "YLHB"


def _local_month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def refresh_hours_summary(now: dt.datetime | None = None) -> int:
    """Rebuild the summary for the last WINDOW_MONTHS months; returns how many (org, month) rows it holds."""
    now = now or timezone.now()
    first = month_starts(timezone.localdate(now), WINDOW_MONTHS)[0]
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        # Summed per activity, then put in local months here: thousands of activities, millions of check-ins.
        # Read on the system's authority: the summary holds every org; readers restrict it by their scope.
        per_activity = (
            Attendance.objects.unrestricted()
            .filter(hours.COUNTED, activity__start__gte=since)
            .values("activity__org_id", "activity__start")
            .annotate(h=Sum("credited_hours"), n=Count("id"))
            .order_by()
        )
        sums: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
        counts: dict[tuple[int, dt.date], int] = defaultdict(int)
        for row in per_activity.iterator(chunk_size=5000):
            key = (row["activity__org_id"], _local_month(row["activity__start"]))
            sums[key] += row["h"] or Decimal("0")
            counts[key] += row["n"]
        HoursByMonth.objects.unrestricted().filter(month__gte=first).delete()
        HoursByMonth.objects.unrestricted().filter(month__lt=first).delete()  # out of the window for good
        HoursByMonth.objects.bulk_create(
            [
                HoursByMonth(org_id=org_id, month=month, hours=h, checkins=counts[(org_id, month)], refreshed_at=now)
                for (org_id, month), h in sums.items()
            ],
            batch_size=1000,
        )
    return len(sums)


def fresh_since() -> dt.datetime | None:
    """When the summary was last rebuilt, if recently enough to be read (VOLUNTEER_HOURS_SUMMARY_MAX_AGE_MINUTES);
    None when it is older, empty or never built: the panel then sums the check-ins itself."""
    # Read on the system's authority: when it was rebuilt is not anyone's data.
    latest = HoursByMonth.objects.unrestricted().aggregate(at=Max("refreshed_at"))["at"]
    if latest is None:
        return None
    max_age = dt.timedelta(minutes=settings.VOLUNTEER_HOURS_SUMMARY_MAX_AGE_MINUTES)
    return latest if timezone.now() - latest <= max_age else None

"""Working days for time limits (办理时限): Chinese public holidays and make-up working days (调休).

The calendar library (`chinese_calendar`) knows the State Council's announcements up to the last year it was
released for (1.11.0: up to 2026) and raises NotImplementedError beyond. Administrators can enter a year's
holidays and make-up days as `WorkdayOverride` rows once announced; an override always wins. For a year neither
knows, weekends are rest days and weekdays working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import chinese_calendar


def _overrides(days: Iterable[dt.date]) -> dict[dt.date, bool]:
    from yinling.cases.models import WorkdayOverride

    wanted = list(days)
    if not wanted:
        return {}
    rows = WorkdayOverride.objects.filter(day__gte=min(wanted), day__lte=max(wanted))
    return dict(rows.values_list("day", "is_workday"))


def _library_says(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The library has no data for this year: weekends rest, unless an override says otherwise.
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    override = _overrides([day]).get(day)
    return override if override is not None else _library_says(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted); `start` for n <= 0."""
    if n <= 0:
        return start
    # Holidays are at most a week or so long: a window of 3n + 30 days always holds n working days.
    window = [start + dt.timedelta(days=i) for i in range(1, 3 * n + 31)]
    overrides = _overrides(window)
    counted = 0
    for day in window:
        working = overrides.get(day)
        if working is None:
            working = _library_says(day)
        if working:
            counted += 1
            if counted == n:
                return day
    raise AssertionError("unreachable: the window always holds n working days")  # pragma: no cover


def overrides_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The overrides after `start` up to and including `end`, read once for many `workdays_between` calls."""
    return _overrides([start + dt.timedelta(days=1), end]) if end > start else {}


def workdays_between(start: dt.date, end: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start). `overrides`: already read
    (`overrides_between`) over a span that holds this one."""
    if end <= start:
        return 0
    window = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    if overrides is None:
        overrides = _overrides(window)
    return sum(1 for d in window if (overrides[d] if d in overrides else _library_says(d)))

"""Working days: the 2026 National Day week and its make-up working days, a year the library does not know,
and administrators' overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from yinling.cases import workdays
from yinling.cases.models import WorkdayOverride

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 9, 30), True),  # Wednesday before the holiday
        (D(2026, 10, 1), False),  # 国庆节
        (D(2026, 10, 5), False),  # a Monday inside the holiday week
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday: a make-up working day (调休)
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_it_knows_the_national_day_week_of_2026(day: dt.date, working: bool) -> None:
    assert workdays.is_workday(day) is working


def test_it_counts_a_limit_across_the_national_day_week_and_its_make_up_saturday() -> None:
    # From Tuesday 29 September: 30 Sep (1), the holiday 1–7 Oct skipped, 8 Oct (2), 9 Oct (3), Saturday 10 Oct (4).
    assert workdays.add_workdays(D(2026, 9, 29), 4) == D(2026, 10, 10)
    assert workdays.add_workdays(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert workdays.workdays_between(D(2026, 9, 29), D(2026, 10, 10)) == 4
    assert workdays.add_workdays(D(2026, 9, 29), 0) == D(2026, 9, 29)


def test_it_falls_back_to_weekends_for_a_year_the_library_does_not_know() -> None:
    assert workdays.is_workday(D(2027, 10, 1))  # a Friday: the library has no 2027 data
    assert not workdays.is_workday(D(2027, 10, 2))  # Saturday
    assert workdays.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 1)


def test_it_lets_an_override_win_for_a_new_years_holidays() -> None:
    WorkdayOverride.objects.create(day=D(2027, 10, 1), is_workday=False, note="国庆节")
    WorkdayOverride.objects.create(day=D(2027, 10, 9), is_workday=True, note="调休上班")
    assert not workdays.is_workday(D(2027, 10, 1))
    assert workdays.is_workday(D(2027, 10, 9))
    # 30 Sep (Thu) → skip 1 Oct (holiday), 2–3 weekend → 4 Oct is the first.
    assert workdays.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 4)
    assert workdays.workdays_between(D(2027, 10, 7), D(2027, 10, 10)) == 2  # Fri 8 and the make-up Sat 9


def test_it_counts_the_same_with_the_overrides_read_once() -> None:
    WorkdayOverride.objects.create(day=D(2031, 1, 6), is_workday=False)
    WorkdayOverride.objects.create(day=D(2031, 1, 11), is_workday=True)
    start = D(2031, 1, 3)
    read = workdays.overrides_between(start, D(2031, 1, 20))
    for end in (D(2031, 1, 3), D(2031, 1, 6), D(2031, 1, 11), D(2031, 1, 20)):
        assert workdays.workdays_between(start, end, read) == workdays.workdays_between(start, end)

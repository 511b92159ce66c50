"""The hour rules at every boundary: the last part-hour (≤15 min → 0, ≤45 → 0.5, else 1), clipping, stars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from yinling.volunteering import hours

T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("stay", "credited"),
    [
        (dt.timedelta(0), "0"),
        (dt.timedelta(minutes=15), "0"),
        (dt.timedelta(minutes=15, seconds=1), "0.5"),
        (dt.timedelta(minutes=45), "0.5"),
        (dt.timedelta(minutes=45, seconds=1), "1"),
        (dt.timedelta(minutes=59, seconds=59), "1"),
        (dt.timedelta(minutes=60), "1"),
        (dt.timedelta(hours=1, minutes=15), "1"),
        (dt.timedelta(hours=1, minutes=15, seconds=1), "1.5"),
        (dt.timedelta(hours=2, minutes=45, seconds=1), "3"),
        (-dt.timedelta(minutes=5), "0"),
    ],
)
def test_it_rounds_the_last_part_hour_at_each_boundary(stay: dt.timedelta, credited: str) -> None:
    assert hours.round_seconds(stay.total_seconds()) == Decimal(credited)
    start, end = T0 - dt.timedelta(hours=10), T0 + dt.timedelta(hours=10)
    assert hours.credited(T0, T0 + stay, start, end) == Decimal(credited)


@pytest.mark.parametrize(
    ("checked_in", "checked_out", "credited"),
    [
        (T0 - dt.timedelta(minutes=30), T0 + dt.timedelta(hours=1), "1"),  # early arrival counts from the start
        (T0 - dt.timedelta(hours=3), T0 - dt.timedelta(hours=1), "0"),  # all before the start
        (T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=5), "1"),  # late leaving counts to the end (2 h)
        (T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=9), "2"),  # both sides clipped
        (T0 + dt.timedelta(hours=3), T0 + dt.timedelta(hours=4), "0"),  # all after the end
        (T0 + dt.timedelta(minutes=104, seconds=59), T0 + dt.timedelta(hours=5), "0.5"),  # 15:01 before the end
        (T0 + dt.timedelta(minutes=105), T0 + dt.timedelta(hours=5), "0"),  # 15:00 before the end
    ],
)
def test_it_clips_a_stay_to_the_activity(checked_in: dt.datetime, checked_out: dt.datetime, credited: str) -> None:
    start, end = T0, T0 + dt.timedelta(hours=2)
    assert hours.credited(checked_in, checked_out, start, end) == Decimal(credited)


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        ("0", 0),
        ("99.5", 0),
        ("100", 1),
        ("299.5", 1),
        ("300", 2),
        ("599.5", 2),
        ("600", 3),
        ("999.5", 3),
        ("1000", 4),
        ("1499.5", 4),
        ("1500", 5),
        ("9000", 5),
    ],
)
def test_it_gives_stars_at_each_threshold(total: str, stars: int) -> None:
    assert hours.stars_for(Decimal(total)) == stars

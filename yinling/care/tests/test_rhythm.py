"""The care rhythm as pure functions: months, default risk from the record, milestone birthdays."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from yinling.care import rhythm
from yinling.care.models import Risk

TODAY = dt.date(2026, 3, 2)


def record(age: int, **fields: Any) -> Any:
    values = {
        "birth_date": dt.date(TODAY.year - age, 6, 1),
        "special_flags": [],
        "living": "with_children",
        "health": "good",
        "disabled": False,
        "category": "tuixiu",
    }
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
    ],
)
def test_it_adds_months_to_the_last_day_when_the_month_is_shorter(day: dt.date, months: int, expected: dt.date) -> None:
    assert rhythm.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("fields", "risk"),
    [
        ({"age": 91}, Risk.HIGH),
        ({"age": 70, "disabled": True}, Risk.HIGH),
        ({"age": 70, "health": "serious"}, Risk.HIGH),
        ({"age": 82, "living": "alone"}, Risk.HIGH),
        ({"age": 70, "living": "alone"}, Risk.KEY),
        ({"age": 70, "category": "lixiu"}, Risk.KEY),
        ({"age": 70, "special_flags": ["hardship"]}, Risk.KEY),
        ({"age": 81}, Risk.KEY),
        ({"age": 70}, Risk.NORMAL),
    ],
)
def test_it_defaults_the_risk_level_from_the_record(fields: dict[str, Any], risk: str) -> None:
    age = fields.pop("age")
    found, reasons = rhythm.default_risk(record(age, **fields), TODAY)
    assert found == risk
    assert bool(reasons) == (risk != Risk.NORMAL)


def test_it_counts_the_age_to_the_day_for_the_default() -> None:
    # 90 on 1 June: still 89 in March, so key (80+), not high.
    assert rhythm.default_risk(record(90), TODAY)[0] == Risk.KEY
    assert rhythm.default_risk(record(90), dt.date(2026, 6, 1))[0] == Risk.HIGH


def test_it_finds_the_next_milestone_birthday_and_skips_those_visited() -> None:
    birth = dt.date(1946, 3, 20)
    assert rhythm.next_milestone(birth, 0, TODAY) == dt.date(2026, 3, 20)
    assert rhythm.next_milestone(birth, 80, TODAY) == dt.date(2036, 3, 20)
    # Past the grace period the 80th is gone; the 90th comes next.
    assert rhythm.next_milestone(birth, 0, dt.date(2026, 4, 25)) == dt.date(2036, 3, 20)
    assert rhythm.milestone_age(birth, dt.date(2026, 3, 25)) == 80
    assert rhythm.milestone_age(birth, dt.date(2026, 9, 1)) is None


def test_it_keeps_a_29_february_birthday_on_28_february() -> None:
    assert rhythm.birthday_at(dt.date(1948, 2, 29), 80) == dt.date(2028, 2, 29)
    assert rhythm.birthday_at(dt.date(1944, 2, 29), 90) == dt.date(2034, 2, 28)

"""Form fields that read office spellings of dates, times and hours (core.formfields)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yinling.core.formfields import OfficeDateField, OfficeDateTimeField, OfficeDecimalField, office_moment


@pytest.mark.parametrize(
    "typed", ["2026-06-01", "2026年6月1日", "2026.6.1", "2026/6/1", "２０２６年６月１日", "2026 年 6 月 1 号"]
)
def test_it_reads_a_date_in_every_office_spelling(typed: str) -> None:
    assert OfficeDateField().clean(typed) == dt.date(2026, 6, 1)


@pytest.mark.parametrize("typed", ["6月1日", "2026年6月", "2026年2月30日", "明天", "1" * 40])
def test_it_refuses_what_is_no_full_date(typed: str) -> None:
    with pytest.raises(ValidationError):
        OfficeDateField().clean(typed)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("2026年6月1日 9:00", "2026-06-01 09:00"),
        ("2026/6/1 09：30", "2026-06-01 09:30"),
        ("2026.6.1 9点", "2026-06-01 09:00"),
        ("2026.6.1 14点05分", "2026-06-01 14:05"),
        ("２０２６年６月１日 ０９：００", "2026-06-01 09:00"),
        ("2026年6月1日", None),
        ("2026年6月1日 25:00", None),
        ("2026年6月1日 9:75", None),
        ("", None),
    ],
)
def test_it_reads_a_moment_in_office_spellings(typed: str, moment: str | None) -> None:
    assert office_moment(typed) == moment


def test_it_gives_a_moment_the_local_time_zone(settings) -> None:  # type: ignore[no-untyped-def]
    got = OfficeDateTimeField().clean("2026年6月1日 9:00")
    assert got.isoformat() == "2026-06-01T09:00:00+08:00"


@pytest.mark.parametrize(
    ("typed", "hours"), [("1.5", "1.5"), ("1。5", "1.5"), ("１．５", "1.5"), ("2小时", "2"), ("0.5 h", "0.5")]
)
def test_it_reads_hours_with_chinese_punctuation(typed: str, hours: str) -> None:
    assert OfficeDecimalField(decimal_places=1, max_digits=6).clean(typed) == Decimal(hours)


@pytest.mark.parametrize("typed", ["一个半", "1,5,5", "NaN", "Infinity"])
def test_it_refuses_hours_it_cannot_read(typed: str) -> None:
    with pytest.raises(ValidationError):
        OfficeDecimalField(decimal_places=1, max_digits=6).clean(typed)

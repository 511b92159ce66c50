"""Weekly class times as timetables and offices write them (forms_slots.parse_slots): no database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from yinling.campus.forms_slots import format_slots, parse_slots


def t(h: int, m: int = 0) -> dt.time:
    return dt.time(h, m)


@pytest.mark.parametrize(
    ("typed", "slots"),
    [
        ("周一 9:00-11:00; 周三 14:00-16:00", [(1, t(9), t(11)), (3, t(14), t(16))]),
        ("周一 9:00-11:00；周三 14:00-16:00", [(1, t(9), t(11)), (3, t(14), t(16))]),
        ("周一 9:00-11:00、周三 14:00-16:00", [(1, t(9), t(11)), (3, t(14), t(16))]),
        ("周一 9:00-11:00\n周日 9:00-10:00", [(1, t(9), t(11)), (7, t(9), t(10))]),
        ("星期二 9点-11点30", [(2, t(9), t(11, 30))]),
        ("星期天 9点30分至11点", [(7, t(9, 30), t(11))]),
        ("礼拜六 8时~9时", [(6, t(8), t(9))]),
        ("周四 9点半到11点", [(4, t(9, 30), t(11))]),
        ("周五 下午2点-4点半", [(5, t(14), t(16, 30))]),
        ("周五 上午9点-下午1点", [(5, t(9), t(13))]),
        ("周二 晚上7点-9点", [(2, t(19), t(21))]),
        ("周五 ９：００－１１：００", [(5, t(9), t(11))]),
        ("１ 9:00-11:00, 3 14:00-16:00", [(1, t(9), t(11)), (3, t(14), t(16))]),
        ("7 19:00 – 20:30", [(7, t(19), t(20, 30))]),
    ],
)
def test_it_reads_weekly_times_as_offices_write_them(typed: str, slots: list[tuple[int, dt.time, dt.time]]) -> None:
    assert parse_slots(typed) == slots


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("周八 9:00-11:00", "周八 9:00-11:00"),
        ("8 9:00-11:00", "8 9:00-11:00"),
        ("周一 9:00", "周一 9:00"),
        ("周一 25:00-26:00", "周一 25:00-26:00"),
        ("周一 9:00-11:00; 周二 上午", "周二 上午"),
        ("周一 9:00-11:00; hello; 周三 9:61-10:00", "hello"),
    ],
)
def test_it_names_each_entry_it_cannot_read(typed: str, names: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_slots(typed)
    assert names in error.value.messages[0]


@pytest.mark.parametrize("typed", ["周一 11:00-9:00", "周一 9:00-11:00; 周一 10:00-12:00"])
def test_it_refuses_times_that_end_first_or_overlap(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_slots(typed)


def test_it_writes_times_back_in_the_form_it_reads() -> None:
    slots = [(1, t(9), t(11)), (7, t(14, 30), t(16))]
    assert format_slots(slots) == "周一 09:00-11:00; 周日 14:30-16:00"
    assert parse_slots(format_slots(slots)) == slots

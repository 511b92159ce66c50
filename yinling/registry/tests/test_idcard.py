"""Property tests for ID numbers: generate, validate, convert."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yinling.registry import idcard

regions = st.sampled_from(["330106", "330212", "330102", "330782", "110101"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2005, 12, 31))
genders = st.sampled_from(["M", "F"])
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences, genders)
def test_it_round_trips_generated_numbers(region: str, birth: dt.date, seq: int, gender: str) -> None:
    info = idcard.parse(idcard.make(region, birth, seq, gender))
    assert (info.region, info.birth_date, info.gender) == (region, birth, gender)


@given(regions, births, sequences, genders, st.integers(0, 16), st.integers(1, 9))
def test_it_rejects_any_single_digit_change(
    region: str, birth: dt.date, seq: int, gender: str, pos: int, delta: int
) -> None:
    number = idcard.make(region, birth, seq, gender)
    digit = (int(number[pos]) + delta) % 10
    changed = number[:pos] + str(digit) + number[pos + 1 :]
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(changed)


@given(regions, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), sequences, genders)
def test_it_upgrades_15_digit_numbers(region: str, birth: dt.date, seq: int, gender: str) -> None:
    eighteen = idcard.make(region, birth, seq, gender)
    fifteen = eighteen[:6] + eighteen[8:17]
    info = idcard.parse(fifteen)
    assert info.number == eighteen and info.converted_from_15 and info.birth_date == birth


@given(regions, births, sequences, genders)
def test_it_normalises_what_sheets_contain(region: str, birth: dt.date, seq: int, gender: str) -> None:
    number = idcard.make(region, birth, seq, gender)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    for variant in (number.lower(), f" {number}\u3000", fullwidth, number[:6] + " " + number[6:]):
        assert idcard.parse(variant).number == number


def test_it_rejects_impossible_and_future_birth_dates() -> None:
    first17 = "33010619450230123"  # 30 February
    with pytest.raises(idcard.IdNumberError, match="not a real date"):
        idcard.parse(first17 + idcard.check_char(first17))
    future = idcard.make("330106", dt.date.today() + dt.timedelta(days=10), 1, "M")
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(future)


def test_it_accepts_excel_integers_and_masks() -> None:
    number = idcard.make("330106", dt.date(1945, 3, 1), 123, "M")
    if number.isdigit():
        assert idcard.parse(int(number)).number == number
    assert idcard.mask(number) == number[:6] + "********" + number[-4:]

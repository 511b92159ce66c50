"""Property tests for resident ID numbers (GB 11643): generate, validate, convert, normalise, mask."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from yinling.orgs.services import DIVISIONS_CSV
from yinling.registry import idcard


def _zhejiang_codes() -> list[str]:
    with DIVISIONS_CSV.open(encoding="utf-8") as fh:
        return sorted(row["code"] for row in csv.DictReader(fh) if row["code"].startswith("33"))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The reasons are matched in their English source form; the catalogue gives them in Chinese."""
    with translation.override("en"):
        yield


ZHEJIANG = _zhejiang_codes()
TODAY = dt.date(2026, 6, 1)

regions = st.sampled_from(ZHEJIANG)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2008, 12, 31))
births_19xx = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31))
sequences = st.integers(min_value=0, max_value=999)
genders = st.sampled_from(["M", "F"])
numbers = st.builds(idcard.make, regions, births, sequences, genders)


def test_it_draws_regions_from_the_zhejiang_division_list() -> None:
    assert "330106" in ZHEJIANG and "330212" in ZHEJIANG and len(ZHEJIANG) > 90


@given(regions, births, sequences, genders)
def test_it_round_trips_birth_date_gender_and_region(region: str, birth: dt.date, seq: int, gender: str) -> None:
    number = idcard.make(region, birth, seq, gender)
    assert re.fullmatch(r"\d{17}[\dX]", number)
    info = idcard.parse(number, today=TODAY)
    assert (info.number, info.region, info.birth_date, info.gender) == (number, region, birth, gender)
    assert not info.converted_from_15
    # The sequence digit's parity is the gender (odd = male).
    assert (int(number[16]) % 2 == 1) == (gender == "M")


@given(numbers, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_it_rejects_any_single_digit_change_in_the_first_17(number: str, pos: int, delta: int) -> None:
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(changed, today=TODAY)


@given(numbers, st.sampled_from("0123456789X"))
def test_it_rejects_a_wrong_check_character(number: str, check: str) -> None:
    assume(check != number[17])
    with pytest.raises(idcard.IdNumberError, match="check digit"):
        idcard.parse(number[:17] + check, today=TODAY)


@given(regions, births_19xx, sequences, genders)
def test_it_upgrades_15_digit_numbers_to_18(region: str, birth: dt.date, seq: int, gender: str) -> None:
    eighteen = idcard.make(region, birth, seq, gender)
    fifteen = region + f"{birth:%y%m%d}" + eighteen[14:17]
    upgraded = idcard.upgrade15(fifteen)
    assert upgraded == eighteen
    assert upgraded[17] == idcard.check_char(upgraded[:17])
    info = idcard.parse(fifteen, today=TODAY)
    assert info.number == eighteen and info.converted_from_15
    assert info.birth_date == birth and 1900 <= info.birth_date.year <= 1999
    assert info.gender == gender


@given(regions, births_19xx, sequences, genders)
def test_it_reads_15_digit_numbers_stored_as_excel_numbers(region: str, birth: dt.date, seq: int, gender: str) -> None:
    eighteen = idcard.make(region, birth, seq, gender)
    fifteen = eighteen[:6] + eighteen[8:17]
    assume(fifteen[0] != "0")
    assert idcard.parse(float(int(fifteen)), today=TODAY).number == eighteen  # 3.30106450301123e+14 as a float
    assert idcard.parse(int(fifteen), today=TODAY).number == eighteen


@given(numbers)
def test_it_normalises_what_sheets_and_people_type(number: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in number)  # ３３０１０６…, also Ｘ
    variants = [
        number.lower(),
        f" {number} ",
        f"\u3000{number}\u3000",
        fullwidth,
        fullwidth.lower(),
        f"{number[:6]} {number[6:14]} {number[14:]}",
        f"{number[:6]}\u3000{number[6:]}",
        f"'{number}",  # the apostrophe that makes Excel keep text
        f"{number[:6]}-{number[6:14]}-{number[14:]}",
    ]
    for variant in variants:
        assert idcard.normalise(variant) == number
        assert idcard.parse(variant, today=TODAY).number == number
    if number.isdigit():
        assert idcard.parse(int(number), today=TODAY).number == number


def test_it_accepts_a_lower_case_x_check_character() -> None:
    number = next(n for s in range(1000) if (n := idcard.make("330106", dt.date(1945, 3, 1), s, "M")).endswith("X"))
    assert idcard.parse(number.lower(), today=TODAY).number == number
    assert idcard.parse(number[:17] + "ｘ", today=TODAY).number == number


def test_it_normalises_empty_values() -> None:
    assert idcard.normalise(None) == ""
    assert idcard.normalise("  \u3000 ") == ""
    with pytest.raises(idcard.IdNumberError, match="18 characters"):
        idcard.parse("", today=TODAY)


@pytest.mark.parametrize("date_part", ["19450230", "19451301", "19450001", "19450100", "19450229", "19000229"])
def test_it_rejects_impossible_birth_dates(date_part: str) -> None:
    first17 = f"330106{date_part}123"
    with pytest.raises(idcard.IdNumberError, match="not a real date"):
        idcard.parse(first17 + idcard.check_char(first17), today=TODAY)


def test_it_accepts_29_february_of_a_leap_year() -> None:
    first17 = "33010619480229123"
    assert idcard.parse(first17 + idcard.check_char(first17), today=TODAY).birth_date == dt.date(1948, 2, 29)


@given(st.dates(min_value=TODAY + dt.timedelta(days=1), max_value=dt.date(2099, 12, 31)), sequences, genders)
def test_it_rejects_births_in_the_future(birth: dt.date, seq: int, gender: str) -> None:
    with pytest.raises(idcard.IdNumberError, match="impossible"):
        idcard.parse(idcard.make("330106", birth, seq, gender), today=TODAY)


def test_it_accepts_a_birth_today_and_refuses_the_nineteenth_century_before_1890() -> None:
    assert idcard.parse(idcard.make("330106", TODAY, 1, "M"), today=TODAY).birth_date == TODAY
    with pytest.raises(idcard.IdNumberError, match="impossible"):
        idcard.parse(idcard.make("330106", dt.date(1889, 12, 31), 1, "M"), today=TODAY)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("33010619450301123", "18 characters"),
        ("3301061945030112345", "18 characters"),
        ("33010619450301123A", "only digits"),
        ("3301061945X3011234", "only digits"),
        ("33010645030112A", "digits only"),
    ],
)
def test_it_explains_malformed_numbers(raw: str, reason: str) -> None:
    with pytest.raises(idcard.IdNumberError, match=reason):
        idcard.parse(raw, today=TODAY)


@given(numbers)
def test_it_masks_as_stars_and_last_four(number: str) -> None:
    masked = idcard.mask(number)
    assert re.fullmatch(r"\*{14}[\dX]{4}", masked)
    assert masked == "*" * 14 + number[-4:]  # region and birth date hidden


def test_it_masks_the_documented_example_and_short_values() -> None:
    number = idcard.make("330106", dt.date(1945, 3, 1), 123, "M")
    assert idcard.mask(number) == f"**************{number[-4:]}"
    assert idcard.birth_shown(dt.date(1945, 3, 1)) == "1945"
    assert idcard.mask("") == ""
    assert idcard.mask("12345") == "*****"


def test_it_judges_the_future_by_the_bureaus_day_not_the_servers() -> None:
    """At 01:00 in Shanghai the server (UTC) is still on yesterday: "today" is the bureau's local date."""
    import time_machine

    local_1am = dt.datetime(2026, 6, 15, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(local_1am, tick=False):
        born_today = idcard.make("330106", dt.date(2026, 6, 15), 1, "F")
        assert idcard.parse(born_today).birth_date == dt.date(2026, 6, 15)
        with pytest.raises(idcard.IdNumberError):
            idcard.parse(idcard.make("330106", dt.date(2026, 6, 16), 1, "F"))

"""The generic cell parsers: every date spelling of a Chinese office sheet, numbers, codes, full-width text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from yinling.core.sheets.cells import (
    Month,
    code,
    parse_date,
    parse_date_or_month,
    parse_decimal,
    parse_int,
    parse_month,
    text,
)

FULLWIDTH = str.maketrans("0123456789.-/", "０１２３４５６７８９．－／")


def spellings(day: dt.date) -> list[object]:
    """How sheets write one day: text in every separator, with and without padding, numbers, Excel values."""
    y, m, d = day.year, day.month, day.day
    texts = [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y} 年 {m} 月 {d} 日",
        f"{y}年{m}月{d}号",
        f"{y}{m:02d}{d:02d}",
        f"{y}-{m:02d}-{d:02d} 00:00:00",
        f"  {y}-{m}-{d}\u3000",
    ]
    values: list[object] = [*texts, *(t.translate(FULLWIDTH) for t in texts)]
    values += [int(f"{y}{m:02d}{d:02d}"), dt.datetime(y, m, d), dt.datetime(y, m, d, 10, 30), day]
    if day >= dt.date(1906, 1, 9):  # Excel serials in a cell not formatted as a date
        serial = (day - dt.date(1899, 12, 30)).days
        values += [serial, float(serial)]
        if serial >= 10000:  # as text only with five digits: "1950" in a CSV is a year, not a serial
            values.append(str(serial))
    return values


def month_spellings(year: int, month: int) -> list[object]:
    texts = [
        f"{year}-{month:02d}",
        f"{year}-{month}",
        f"{year}/{month}",
        f"{year}.{month:02d}",
        f"{year}.{month}",
        f"{year}年{month}月",
        f"{year}年{month:02d}月",
        f"{year} 年 {month} 月",
        f"{year}{month:02d}",
    ]
    return [*texts, *(t.translate(FULLWIDTH) for t in texts), int(f"{year}{month:02d}"), float(f"{year}.{month:02d}")]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are matched in their English source form.
    with translation.override("en"):
        yield


days = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2099, 12, 31))


@given(days)
def test_it_reads_every_spelling_of_a_day(day: dt.date) -> None:
    for value in spellings(day):
        assert parse_date_or_month(value) == day, value
        assert parse_date(value) == day, value
        assert parse_month(value) == f"{day.year:04d}-{day.month:02d}", value


@given(st.integers(1890, 2100), st.integers(1, 12))
def test_it_reads_every_spelling_of_a_month(year: int, month: int) -> None:
    for value in month_spellings(year, month):
        assert parse_date_or_month(value) == Month(year, month), value
        assert parse_month(value) == f"{year:04d}-{month:02d}", value


@given(st.integers(1890, 2100), st.integers(1, 12))
def test_it_refuses_a_month_where_a_full_date_is_needed(year: int, month: int) -> None:
    with pytest.raises(ValueError, match="month"):
        parse_date(f"{year}年{month}月")


@pytest.mark.parametrize(
    "raw", ["1945", 1945, "45-3-1", "March 1945", "abc", "2020-13-01", "2020-02-30", "2020年2月30日", True]
)
def test_it_refuses_what_is_no_real_date(raw: object) -> None:
    with pytest.raises(ValueError, match="not a"):
        parse_date_or_month(raw)


def test_it_reads_a_month_typed_into_a_number_cell() -> None:
    assert parse_date_or_month(1968.8) == Month(1968, 8)
    assert parse_date_or_month(1968.08) == Month(1968, 8)
    assert parse_date_or_month(1968.1) == Month(1968, 10)  # typed 1968.10: Excel dropped the zero
    assert parse_date_or_month(1968.12) == Month(1968, 12)


def test_it_treats_empty_cells_as_missing() -> None:
    for value in (None, "", "   ", "\u3000"):
        assert parse_date_or_month(value) is None and parse_month(value) == ""


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20))
def test_it_reads_full_width_letters_and_digits_as_ascii(ascii_text: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in ascii_text)
    assert text(fullwidth) == ascii_text.strip()


def test_it_normalises_codes_from_every_kind_of_cell() -> None:
    assert code(330106.0) == "330106"
    assert code("３３０１０６Ｕ０１") == "330106U01"
    assert code(" 330106 U01 ") == "330106U01"
    assert code("330106.0") == "330106"
    assert code(None) == ""


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("1,234.5", Decimal("1234.5")),
        ("１２３", Decimal(123)),
        ("¥300", Decimal(300)),
        ("300元", Decimal(300)),
        (2.5, Decimal("2.5")),
        (7, Decimal(7)),
    ],
)
def test_it_reads_numbers_as_sheets_write_them(raw: object, number: Decimal) -> None:
    assert parse_decimal(raw) == number


def test_it_refuses_what_is_not_a_number() -> None:
    for raw in ("abc", "1.2.3", "NaN", True):
        with pytest.raises(ValueError, match="not a number"):
            parse_decimal(raw)
    with pytest.raises(ValueError, match="whole number"):
        parse_int("2.5")
    assert parse_int("１２") == 12 and parse_int("") is None

"""Every date column takes every spelling; a birth date given to the month is completed from the ID number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from yinling.registry import idcard
from yinling.registry.imports import Importer
from yinling.registry.models import Retiree
from yinling.registry.validation import clean_record
from yinling.testing.personas import Personas

TODAY = dt.date(2026, 6, 1)
FULLWIDTH = str.maketrans("0123456789.-/", "０１２３４５６７８９．－／")
births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(1966, 12, 31))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def day_spellings(d: dt.date) -> list[Any]:
    texts = [
        f"{d.year}-{d.month:02d}-{d.day:02d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}{d.month:02d}{d.day:02d}",
    ]
    serial = (d - dt.date(1899, 12, 30)).days
    return [*texts, *(t.translate(FULLWIDTH) for t in texts), dt.datetime(d.year, d.month, d.day), serial]


def month_spellings(year: int, month: int) -> list[Any]:
    texts = [f"{year}-{month:02d}", f"{year}/{month}", f"{year}.{month:02d}", f"{year}.{month}", f"{year}年{month}月"]
    return [*texts, *(t.translate(FULLWIDTH) for t in texts), f"{year}{month:02d}", float(f"{year}.{month:02d}")]


def record(id_number: str, **raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    result = clean_record({"name": "张三", "id_number": id_number, "category": "退休", **raw}, today=TODAY)
    return result.values, dict(result.errors)


@given(births, st.integers(0, 999))
def test_it_takes_every_spelling_of_the_birth_date_the_id_number_holds(birth: dt.date, sequence: int) -> None:
    number = idcard.make("330106", birth, sequence, "M")
    for spelling in [*day_spellings(birth), *month_spellings(birth.year, birth.month)]:
        values, errors = record(number, birth_date=spelling)
        assert errors == {}, spelling
        assert values["birth_date"] == birth, spelling


@given(births, st.integers(1, 11))
def test_it_refuses_a_birth_month_the_id_number_contradicts(birth: dt.date, shift: int) -> None:
    number = idcard.make("330106", birth, 7, "F")
    other = (birth.month - 1 + shift) % 12 + 1
    for spelling in month_spellings(birth.year, other):
        _values, errors = record(number, birth_date=spelling)
        assert errors == {"birth_date": f"does not match the birth date in the ID number ({birth.isoformat()})"}


@given(births)
def test_it_refuses_a_birth_month_it_cannot_check(birth: dt.date) -> None:
    _values, errors = record("330106", birth_date=f"{birth.year}.{birth.month:02d}")
    assert set(errors) == {"id_number", "birth_date"}
    assert "month" in errors["birth_date"]


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2026, 5, 31)))
def test_it_takes_every_spelling_of_a_month_column_and_of_the_death_date(day: dt.date) -> None:
    number = idcard.make("330106", dt.date(1930, 1, 1), 3, "M")
    for spelling in day_spellings(day):
        values, errors = record(number, retired_on=spelling, deceased_on=spelling)
        assert errors == {}, spelling
        assert values["retired_on"] == f"{day.year:04d}-{day.month:02d}" and values["deceased_on"] == day
    for spelling in month_spellings(day.year, day.month):
        values, errors = record(number, retired_on=spelling)
        assert errors == {} and values["retired_on"] == f"{day.year:04d}-{day.month:02d}", spelling
        # A death date has no other source for its day: said so, not guessed.
        _values, errors = record(number, deceased_on=spelling)
        assert "month" in errors["deceased_on"], spelling


@pytest.mark.django_db
def test_it_imports_birth_dates_written_to_the_month_from_a_real_sheet(tmp_path: Path, personas: Personas) -> None:
    births = [dt.date(1950, 3, 17), dt.date(1948, 10, 2), dt.date(1952, 1, 30), dt.date(1955, 12, 9)]
    cells: list[Any] = ["1950.03", 1948.10, "1952年1月", "1955-12"]
    wrong = idcard.make("330106", dt.date(1951, 4, 4), 9, "M")
    wb = Workbook()
    ws = wb.active
    ws.append(["管理单位代码", "姓名", "身份证号", "离退休类别", "出生年月"])
    for i, (birth, cell) in enumerate(zip(births, cells, strict=True)):
        ws.append(["330106", f"人员{i}", idcard.make("330106", birth, i, "M"), "退休", cell])
    ws.append(["330106", "错月", wrong, "退休", "1951.05"])
    path = tmp_path / "births.xlsx"
    wb.save(path)
    result = Importer(personas.owner, None).run(path, path.name, apply=True)
    assert (result.created, result.rejected) == (4, 1), result.errors
    assert sorted(Retiree.objects.values_list("birth_date", flat=True)) == sorted(births)
    assert [(e.row, e.column) for e in result.errors] == [(6, "出生年月")]


@pytest.mark.django_db
def test_it_reads_full_width_digits_and_letters_in_every_column(tmp_path: Path, personas: Personas) -> None:
    wide = str.maketrans(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-",
        "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ．－",
    )
    number = idcard.make("330106", dt.date(1950, 3, 17), 5, "F")
    headers = [
        "管理单位代码",
        "姓名",
        "身份证号",
        "离退休类别",
        "出生日期",
        "联系电话",
        "参加工作时间",
        "原职务",
        "民族",
    ]
    cells = ["330106U01", "李梅", number, "退休", "1950.3.17", "0571-88881234", "1970-08", "Section Chief B2", "02"]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append([c.translate(wide) for c in cells])
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    result = Importer(personas.owner, None).run(path, path.name, apply=True)
    assert (result.created, result.rejected) == (1, 0), result.errors
    person = Retiree.objects.get()
    assert (person.org.code, person.id_number, person.birth_date) == ("330106U01", number, dt.date(1950, 3, 17))
    assert (person.phone, person.work_started, person.former_post, person.ethnic) == (
        "0571-88881234",
        "1970-08",
        "Section Chief B2",
        "02",
    )

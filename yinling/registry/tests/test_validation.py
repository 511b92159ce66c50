"""The record's rules (validation.clean_record), which forms, imports and the API all apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from yinling.registry import idcard
from yinling.registry.schema import BY_KEY
from yinling.registry.validation import (
    clean_name,
    clean_record,
    parse_bool,
    parse_choice,
    parse_date,
    parse_ethnic,
    parse_month,
    parse_multi,
    parse_phone,
    text,
)

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English source messages; test_translations checks the Chinese catalogue."""
    with translation.override("en"):
        yield


MALE_ID = idcard.make("330106", dt.date(1945, 3, 1), 123, "M")
FEMALE_ID = idcard.make("330106", dt.date(1950, 7, 15), 124, "F")


def check(**raw: object) -> tuple[dict[str, object], dict[str, str], dict[str, str]]:
    """clean_record on a minimal valid record plus `raw`: (values, errors by key, warnings by key)."""
    base: dict[str, object] = {"name": "张三", "id_number": MALE_ID, "category": "退休"}
    known = raw.pop("known_regions", None)
    result = clean_record({**base, **raw}, today=TODAY, known_regions=known)  # type: ignore[arg-type]
    return result.values, dict(result.errors), dict(result.warnings)


# --- names and text -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["张三", "张　三", " 张 三 ", "\u3000张\u3000三\u3000", "张\t三"])
def test_it_removes_the_padding_of_two_character_names(raw: str) -> None:
    assert clean_name(raw) == "张三"
    values, errors, _w = check(name=raw)
    assert values["name"] == "张三" and not errors


def test_it_requires_a_name_and_limits_its_length() -> None:
    assert check(name="\u3000 ")[1] == {"name": "is required"}
    assert "name" in check(name="张" * 51)[1]


def test_it_reads_numbers_stored_as_floats_as_text() -> None:
    assert text(1.0) == "1" and text(Decimal("12.00")) == "12" and text(None) == "" and text(" a\u3000") == "a"


# --- dates and months ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "1945-03-01",
        "1945-3-1",
        "1945/3/1",
        "1945/03/01",
        "1945.03.01",
        "1945.3.1",
        "1945年3月1日",
        "1945年03月01日",
        "1945 年 3 月 1 日",
        "19450301",
        "１９４５－０３－０１",
        " 1945-03-01\u3000",
        dt.date(1945, 3, 1),
        dt.datetime(1945, 3, 1, 0, 0),
        19450301,
        19450301.0,
    ],
)
def test_it_reads_dates_in_every_accepted_form(raw: object) -> None:
    assert parse_date(raw) == dt.date(1945, 3, 1)


@pytest.mark.parametrize(("raw", "reason"), [("1945-02-30", "not a real date"), ("19451301", "not a real date")])
def test_it_refuses_impossible_dates(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(raw)


@pytest.mark.parametrize("raw", ["1945", "March 1945", "1945-03", "45-3-1", "abc"])
def test_it_refuses_what_is_not_a_date(raw: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(raw)


def test_it_treats_empty_dates_as_missing() -> None:
    assert parse_date("") is None and parse_date(None) is None


@pytest.mark.parametrize(
    "raw",
    [
        "1968.08",
        "1968.8",
        "1968-08",
        "1968-8",
        "1968/08",
        "1968年8月",
        "1968年08月",
        "1968 年 8 月",
        "196808",
        "19680801",
        "1968-08-01",
        "1968年8月1日",
        "１９６８．０８",
        1968.08,
        196808,
        dt.date(1968, 8, 1),
        dt.datetime(1968, 8, 15, 10, 30),
    ],
)
def test_it_reads_months_in_every_accepted_form(raw: object) -> None:
    assert parse_month(raw) == "1968-08"


def test_it_reads_a_float_month_whose_trailing_zero_excel_dropped() -> None:
    assert parse_month(1968.1) == "1968-10"  # typed 1968.10, stored as the number 1968.1
    assert parse_month(1968.12) == "1968-12"


@pytest.mark.parametrize(("raw", "reason"), [("1968-13", "not a real month"), ("1868-01", "not a real month")])
def test_it_refuses_impossible_months(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_month(raw)


@pytest.mark.parametrize("raw", ["1968", "Aug 1968", "68.08", "abc"])
def test_it_refuses_what_is_not_a_month(raw: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        parse_month(raw)


def test_it_keeps_months_at_month_precision_in_the_record() -> None:
    values, errors, _w = check(work_started="1968.08", party_joined="1970年7月", retired_on=200510)
    assert not errors
    assert (values["work_started"], values["party_joined"], values["retired_on"]) == ("1968-08", "1970-07", "2005-10")
    assert check(work_started="")[0]["work_started"] == ""


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("\u300013800138000 ", "13800138000"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        ("19912345678", "19912345678"),
        ("0571-88888888", "0571-88888888"),
        ("057188888888", "057188888888"),
        ("(0571)88888888", "057188888888"),
        ("（0571）88888888", "057188888888"),
        ("010-12345678", "010-12345678"),
        ("0571-8888888", "0571-8888888"),
        ("0571-88888888-123", "0571-88888888-123"),
        ("", ""),
    ],
)
def test_it_reads_mainland_phone_numbers(raw: object, stored: str) -> None:
    assert parse_phone(raw) == stored


@pytest.mark.parametrize(
    "raw", ["12345", "1380013800", "138001380001", "12800138000", "23800138000", "+14155550000", "电话", "571-8888"]
)
def test_it_refuses_what_is_not_a_mainland_phone(raw: str) -> None:
    with pytest.raises(ValueError, match="not a valid mainland phone"):
        parse_phone(raw)


def test_it_reports_a_bad_phone_against_its_column() -> None:
    assert "phone" in check(phone="123")[1]
    assert check(phone="+86 139 1234 5678")[0]["phone"] == "13912345678"


# --- the ID number and what it says -------------------------------------------------------------


def test_it_takes_gender_and_birth_date_from_the_id_number() -> None:
    values, errors, _w = check()
    assert not errors
    assert values["id_number"] == MALE_ID and values["gender"] == "M" and values["birth_date"] == dt.date(1945, 3, 1)


def test_it_normalises_the_id_number() -> None:
    fifteen = MALE_ID[:6] + MALE_ID[8:17]
    assert check(id_number=fifteen)[0]["id_number"] == MALE_ID
    assert check(id_number=f" {MALE_ID.lower()}\u3000")[0]["id_number"] == MALE_ID


def test_it_refuses_a_gender_that_contradicts_the_id_number() -> None:
    _v, errors, _w = check(gender="女")
    assert "does not match the ID number" in errors["gender"] and "男" in errors["gender"]
    assert "gender" in check(id_number=FEMALE_ID, gender="M")[1]
    assert not check(id_number=FEMALE_ID, gender="女性")[1]


def test_it_refuses_a_birth_date_that_contradicts_the_id_number() -> None:
    _v, errors, _w = check(birth_date="1945-03-02")
    assert errors == {"birth_date": "does not match the birth date in the ID number (1945-03-01)"}
    assert not check(birth_date="1945年3月1日")[1]


def test_it_requires_a_valid_id_number() -> None:
    assert check(id_number="")[1]["id_number"] == "is required"
    assert "check digit" in check(id_number=MALE_ID[:17] + ("0" if MALE_ID[17] != "0" else "1"))[1]["id_number"]


def test_it_only_warns_about_an_unknown_region_code() -> None:
    unknown = idcard.make("339999", dt.date(1945, 3, 1), 123, "M")
    values, errors, warnings = check(id_number=unknown, known_regions={"330106", "330212"})
    assert not errors and values["id_number"] == unknown
    assert "339999" in warnings["id_number"]
    assert not check(known_regions={"330106"})[2]
    assert not check(id_number=unknown)[2]  # no list of regions given: nothing to compare with


def test_it_refuses_births_and_deaths_in_the_future() -> None:
    future_id = idcard.make("330106", TODAY + dt.timedelta(days=1), 1, "M")
    assert "impossible" in check(id_number=future_id)[1]["id_number"]
    result = clean_record({"name": "张三", "category": "退休", "birth_date": "2030-01-01"}, today=TODAY)
    assert dict(result.errors) == {"birth_date": "is in the future"}
    assert check(deceased_on=TODAY + dt.timedelta(days=1))[1] == {"deceased_on": "is in the future"}
    values, errors, _w = check(deceased_on=TODAY)
    assert not errors and values["status"] == "deceased"


def test_it_refuses_a_death_before_the_birth() -> None:
    values, errors, _w = check(deceased_on="1940-01-01")
    assert values["birth_date"] > dt.date(1940, 1, 1)
    assert errors == {"deceased_on": "is before the birth date"}


def test_it_requires_a_death_date_for_the_deceased() -> None:
    assert "deceased_on" in check(status="离世", deceased_on="")[1]
    assert check(status="在册")[0]["status"] == "active"
    assert check(status="")[0]["status"] == "active"


# --- 离休 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("started", ["1949-09", "1949.09", "1945年8月", "1938-01"])
def test_it_accepts_lixiu_for_work_started_by_september_1949(started: str) -> None:
    values, errors, _w = check(category="离休", work_started=started)
    assert not errors and values["category"] == "lixiu"


@pytest.mark.parametrize("started", ["1949-10", "1949.10", "1950-01"])
def test_it_refuses_lixiu_for_work_started_after_september_1949(started: str) -> None:
    assert "1949-09-30" in check(category="离休", work_started=started)[1]["work_started"]


def test_it_requires_the_start_of_work_for_lixiu() -> None:
    assert "required for 离休" in check(category="lixiu")[1]["work_started"]
    assert not check(category="退休")[1]  # 退休 has no such rule


def test_it_requires_a_known_category() -> None:
    assert "category" in check(category="")[1]
    assert "离休" in check(category="病休")[1]["category"]
    assert check(category="tuixiu")[0]["category"] == "tuixiu"


# --- enumerations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("01", "01"),
        ("1", "01"),
        (1, "01"),
        ("汉族", "01"),
        ("汉", "01"),
        ("蒙古族", "02"),
        ("蒙古", "02"),
        ("03", "03"),
        ("回族", "03"),
        ("回", "03"),
        ("基诺族", "56"),
        ("基诺", "56"),
        ("", "01"),
        (" 满\u3000族 ", "11"),
    ],
)
def test_it_reads_ethnic_groups_by_code_name_or_name_without_zu(raw: object, code: str) -> None:
    assert parse_ethnic(raw) == code


@pytest.mark.parametrize("raw", ["57", "火星族", "Han"])
def test_it_refuses_unknown_ethnic_groups(raw: str) -> None:
    with pytest.raises(ValueError, match="56 ethnic groups"):
        parse_ethnic(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "困难、丧偶",
        "困难,丧偶",
        "困难，丧偶",
        "困难;丧偶",
        "困难；丧偶",
        "困难/丧偶",
        "困难 丧偶",
        "困难、、丧偶、",
        "hardship,widowed",
        "困难、丧偶、困难",
        ["困难", "widowed"],
    ],
)
def test_it_splits_multiple_values(raw: object) -> None:
    assert parse_multi(raw, BY_KEY["special_flags"]) == ["hardship", "widowed"]


def test_it_names_the_options_for_an_unknown_value() -> None:
    with pytest.raises(ValueError, match="困难"):
        parse_multi("困难、富裕", BY_KEY["special_flags"])
    assert parse_multi("", BY_KEY["contributions"]) == []
    assert check(contributions="志愿服务、银色人才")[0]["contributions"] == ["volunteer", "silver_talent"]


@pytest.mark.parametrize(("raw", "code"), [("男", "M"), ("男性", "M"), ("F", "F"), ("女 ", "F")])
def test_it_reads_choices_by_label_or_code(raw: str, code: str) -> None:
    assert parse_choice(raw, BY_KEY["gender"]) == code


def test_it_reads_statuses_as_sheets_write_them() -> None:
    assert parse_choice("迁出", BY_KEY["status"]) == "moved_out"
    assert parse_choice("在册", BY_KEY["status"]) == "active"


@pytest.mark.parametrize(
    ("raw", "value"), [("是", True), ("否", False), ("", False), ("Y", True), (1, True), (0.0, False)]
)
def test_it_reads_yes_and_no(raw: object, value: bool) -> None:
    assert parse_bool(raw) is value


def test_it_refuses_other_answers_to_a_yes_no_question() -> None:
    with pytest.raises(ValueError, match="是 or 否"):
        parse_bool("也许")
    assert "disabled" in check(disabled="也许")[1]


def test_it_reports_every_problem_of_a_record_at_once() -> None:
    result = clean_record(
        {
            "name": "",
            "id_number": "123",
            "category": "x",
            "phone": "1",
            "birth_date": "1945-02-30",
            "political": "无党派人士",
            "unknown_column": "ignored",
        },
        today=TODAY,
    )
    assert {key for key, _m in result.errors} == {"name", "id_number", "category", "phone", "birth_date", "political"}
    assert "unknown_column" not in result.values

"""Finding people on the list page: search by name, pinyin, initials, ID and phone digits; filters; sorting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from yinling.orgs.models import Org
from yinling.registry import idcard
from yinling.registry.demo import make_retiree
from yinling.registry.filters import masked_query, search_q
from yinling.registry.models import Retiree
from yinling.testing.permissions import login_client
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db
# Frozen (time_machine, below): ages and "not in the future" depend on the local date, which must not
# move between the module's import and its tests, nor differ from UTC's at the test's instant.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def make(org: Org, i: int, name: str, **fields: Any) -> Retiree:
    """A synthetic person called `name` with `fields`; gender and birth date get a matching ID number."""
    person, _contacts = make_retiree(i, org, org.code[:6])
    person.name, person.status, person.deceased_on, person.former_name = name, "active", None, ""
    person.special_flags, person.contributions, person.disabled = [], [], False
    gender, birth = fields.pop("gender", person.gender), fields.pop("birth_date", person.birth_date)
    person.gender, person.birth_date = gender, birth
    person.id_number = idcard.make(org.code[:6], birth, i, gender)
    for key, value in fields.items():
        setattr(person, key, value)
    person.save()
    return person


def years_ago(years: int) -> dt.date:
    try:
        return TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        return TODAY.replace(year=TODAY.year - years, day=28)


@pytest.fixture
def people(personas: Personas) -> dict[str, Retiree]:
    t = personas.tree
    return {
        "张三": make(t.unit_a, 1, "张三", gender="M", birth_date=dt.date(1950, 5, 10), category="tuixiu",
                   political="cpc", living="alone", health="chronic", special_flags=["hardship"],
                   contributions=["silver_talent"], phone="13800135678"),
        "李四": make(t.county_a, 2, "李四", gender="F", birth_date=dt.date(1930, 1, 1), category="lixiu",
                   work_started="1948-01", political="probationary", living="with_children", health="good",
                   special_flags=["former_leader"], contributions=["volunteer"], disabled=True,
                   phone="0571-87654321"),
        "曾国华": make(t.unit_a, 3, "曾国华", gender="M", birth_date=years_ago(80), category="tuixiu",
                     political="none", living="empty_nest", health="fair", former_name="曾小华", phone="13911112222"),
        "赵六": make(t.unit_a, 4, "赵六", gender="F", birth_date=dt.date(1945, 2, 2), category="tuixiu",
                   political="democratic", living="care_home", health="serious", status="deceased",
                   deceased_on=dt.date(2025, 3, 3), phone=""),
        "张三丰": make(t.county_b, 5, "张三丰", gender="M", birth_date=dt.date(1950, 5, 11), category="tuixiu",
                     political="cpc", living="alone", health="chronic", special_flags=["hardship"],
                     phone="13800130000"),
    }  # fmt: skip


def names(client: Client, query: str) -> list[str]:
    response = client.get(f"/registry/?{query}")
    assert response.status_code == 200
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def owner(personas: Personas) -> Client:
    return login_client(personas.owner)


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q", ["张三", "张", "张　三", " 张三 ", "zhangsan", "zhangs", "zhang", "ZhangSan", "zs", "ZS", "Zs"]
)
def test_it_finds_people_by_name_pinyin_and_initials(owner: Client, people: dict[str, Retiree], q: str) -> None:
    assert names(owner, f"q={q}") == ["张三"]  # never 张三丰, who is outside the owner's area


def test_it_reads_surnames_with_their_special_reading(owner: Client, people: dict[str, Retiree]) -> None:
    assert names(owner, "q=zengguohua") == names(owner, "q=zgh") == names(owner, "q=曾") == ["曾国华"]
    assert names(owner, "q=曾小") == ["曾国华"]  # the former name too
    assert names(owner, "q=cengguohua") == []


def test_it_finds_people_by_id_number_digits(owner: Client, people: dict[str, Retiree]) -> None:
    number = people["张三"].id_number
    assert names(owner, f"q={number[-4:]}") == ["张三"]
    assert names(owner, f"q={number[-6:]}") == ["张三"]
    assert names(owner, f"q={number}") == ["张三"]
    assert names(owner, f"q={number.lower()}") == ["张三"]
    assert names(owner, f"q={number[:6]} {number[6:]}") == ["张三"]
    assert names(owner, f"q={number[:6]}{number[8:17]}") == ["张三"]  # its old 15-digit form
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert names(owner, f"q={wrong}") == []


def test_it_finds_people_by_phone_digits(owner: Client, people: dict[str, Retiree]) -> None:
    assert names(owner, "q=5678") == ["张三"]  # the last 4 of a phone
    assert names(owner, "q=13800135678") == ["张三"]
    assert names(owner, "q=138 0013 5678") == ["张三"]
    assert names(owner, "q=138-0013-5678") == ["张三"]
    assert names(owner, "q=1111") == []  # only the last 4
    assert names(owner, "q=4321") == ["李四"]  # landlines by their last 4 too


def test_it_matches_last_four_digits_of_id_numbers_and_phones_alike(people: dict[str, Retiree]) -> None:
    zhang = people["张三"]
    q = search_q(zhang.id_number[-4:])
    assert zhang in Retiree.objects.filter(q)
    assert zhang in Retiree.objects.filter(search_q("5678"))


def test_it_finds_nobody_for_a_search_outside_the_area(personas: Personas, people: dict[str, Retiree]) -> None:
    outsider = login_client(personas.outsider)
    assert names(outsider, f"q={people['张三'].id_number}") == []
    assert names(outsider, "q=zs") == ["张三丰"]


def test_it_masks_searches_kept_in_the_audit_trail(people: dict[str, Retiree]) -> None:
    number = people["张三"].id_number
    assert masked_query(number) == idcard.mask(number)
    assert masked_query(number[-6:]) == "**" + number[-4:]
    assert masked_query("13800135678") == "138****5678"
    assert masked_query("zs") == "zs" and masked_query("5678") == "5678"


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["李四", "曾国华", "张三"]),  # on register only, unless asked
        ("status=all", ["李四", "曾国华", "张三", "赵六"]),
        ("org=330106U01&status=all", ["曾国华", "张三", "赵六"]),
        ("org=330106&status=all", ["李四", "曾国华", "张三", "赵六"]),
        ("org=330100&status=all", ["李四", "曾国华", "张三", "赵六"]),
        ("org=330212", []),
        ("org=nonexistent", []),
        ("category=lixiu", ["李四"]),
        ("category=tuixiu&status=all", ["曾国华", "张三", "赵六"]),
        ("gender=F", ["李四"]),
        ("gender=F&status=all", ["李四", "赵六"]),
        ("party=party", ["李四", "张三"]),
        ("party=non_party&status=all", ["曾国华", "赵六"]),
        ("living=alone", ["张三"]),
        ("living=empty_nest", ["曾国华"]),
        ("health=chronic", ["张三"]),
        ("health=serious", []),
        ("health=serious&status=all", ["赵六"]),
        ("special_flag=hardship", ["张三"]),
        ("special_flag=former_leader", ["李四"]),
        ("contribution=volunteer", ["李四"]),
        ("disabled=true", ["李四"]),
        ("status=active", ["李四", "曾国华", "张三"]),
        ("status=deceased", ["赵六"]),
        ("status=moved_out", []),
        ("age_min=90", ["李四"]),
        ("age_min=80&age_max=80", ["曾国华"]),
        ("age_min=81&age_max=89&status=all", ["赵六"]),
        ("age_max=79", ["张三"]),
        ("org=330106U01&gender=M&party=non_party", ["曾国华"]),
        ("q=zs&special_flag=hardship&status=active", ["张三"]),
    ],
)
def test_it_filters(owner: Client, people: dict[str, Retiree], query: str, expected: list[str]) -> None:
    assert sorted(names(owner, query)) == sorted(expected)


def test_it_counts_age_in_whole_years_to_the_day(owner: Client, people: dict[str, Retiree]) -> None:
    assert people["曾国华"].age == 80
    make(people["张三"].org, 6, "钱七", birth_date=years_ago(80) + dt.timedelta(days=1), gender="M")  # 79 today
    assert sorted(names(owner, "age_min=80&age_max=80")) == ["曾国华"]
    assert names(owner, "age_min=79&age_max=79") == ["钱七"]


def test_it_refuses_invalid_filter_values_gracefully(owner: Client, people: dict[str, Retiree]) -> None:
    response = owner.get("/registry/?gender=X&age_min=abc")
    assert response.status_code == 200
    assert response.context["filter"].errors


# --- order and pages ----------------------------------------------------------------------------


def test_it_sorts_by_pinyin_and_by_other_columns(owner: Client, people: dict[str, Retiree]) -> None:
    # By full pinyin: lisi, zengguohua, zhangsan (not by character code, nor 曾 read as ceng).
    assert names(owner, "status=active") == names(owner, "status=active&sort=name") == ["李四", "曾国华", "张三"]
    assert names(owner, "status=active&sort=-name") == ["张三", "曾国华", "李四"]
    assert names(owner, "status=active&sort=-birth_date") == ["张三", "曾国华", "李四"]
    by_org = names(owner, "status=active&sort=-org")  # the unit's people, then the county bureau's
    assert by_org[-1] == "李四" and sorted(by_org[:2]) == ["张三", "曾国华"]


def test_it_paginates(personas: Personas, owner: Client) -> None:
    for i in range(27):
        make(personas.tree.unit_a, 100 + i, f"王{chr(0x4E00 + i)}")
    first, second = names(owner, ""), names(owner, "page=2")
    assert len(first) == 25 and len(second) == 2 and not set(first) & set(second)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "zhangsan"),
        ("吕绿", "lvlv"),  # ü written v, as pypinyin writes it
        ("王长江", "wangchangjiang"),  # 长 has two readings: the name is read in context
        ("乐嘉", "yuejia"),  # special surname reading
        ("Li 明", "ming"),  # what is not Chinese is left out
    ],
)
def test_it_reads_names_the_same_with_or_without_the_per_character_shortcut(name: str, expected: str) -> None:
    from pypinyin import lazy_pinyin

    from yinling.registry.pinyin import full_pinyin

    assert full_pinyin(name) == expected
    if name[0] not in "乐":
        assert full_pinyin(name) == "".join(p.lower() for p in lazy_pinyin(name, errors="ignore"))

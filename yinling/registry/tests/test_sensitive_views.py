"""What a role without the sensitive right sees, taken together, must not determine an ID number or a phone.

The test gathers every value of one person that a clerk can see (list page and a search on it, record
page with its change history and its PDF summary, edit form, export, API list and record, picker
options) into one bag, and counts the ID numbers and phones consistent with ALL of it at once: the
join of any pair (or more) of visible fields, not one field at a time. An attacker is granted the
province as the region whenever the region is hidden (people are mostly born near where they
retire), which is what makes the count conservative.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rest_framework.test import APIClient

from yinling.registry import idcard
from yinling.registry.forms import keep_birth_date
from yinling.registry.models import Retiree
from yinling.testing.pdf import read_pdf
from yinling.testing.permissions import login_client
from yinling.testing.personas import Cast, make_retiree_record

pytestmark = pytest.mark.django_db
DIVISIONS = Path(__file__).resolve().parents[2] / "orgs" / "data" / "cn-divisions.csv"
BIRTH = dt.date(1952, 7, 17)
# Frozen: the counter below takes an age to the day as known, the most an attacker could be told.
TODAY = dt.date(2026, 9, 1)
PHONE = "13912345678"


def county_codes(province: str) -> list[str]:
    with DIVISIONS.open(encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f) if r["level"] == "county" and r["code"].startswith(province)]


def id_candidates(bag: str, number: str, today: dt.date | None = None) -> int:
    """ID numbers consistent with everything in `bag`: region × birth dates × sequence × check digit.

    The age is taken as known (the picker and the record page show it): only birth dates giving that
    age today count."""
    region = number[:6]
    regions = [region] if region in bag else county_codes(region[:2]) or [region]
    birth = idcard.parse(number).birth_date
    if f"{birth:%Y-%m-%d}" in bag or f"{birth:%Y%m%d}" in bag or f"{birth:%Y.%m.%d}" in bag:
        days = [birth]
    elif f"{birth:%Y-%m}" in bag or f"{birth:%Y.%m}" in bag or f"{birth:%Y%m}" in bag:
        days = [
            dt.date(birth.year, birth.month, d) for d in range(1, calendar.monthrange(birth.year, birth.month)[1] + 1)
        ]
    else:
        days = [birth + dt.timedelta(days=n) for n in range(-366, 367)]
        if str(birth.year) in bag:
            days = [d for d in days if d.year == birth.year]
    today = today or dt.date.today()
    days = [d for d in days if age_on(d, today) == age_on(birth, today)]
    known = max((k for k in range(1, 19) if number[-k:] in bag), default=0)  # the longest shown suffix
    sequences = range(1000) if known < 4 else [int(number[14:17])]
    count = 0
    for r in regions:
        for day in days:
            for seq in sequences:
                first17 = f"{r}{day:%Y%m%d}{seq:03d}"
                candidate = first17 + idcard.check_char(first17)
                if candidate.endswith(number[-known:] if known else ""):
                    count += 1
    return count


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def phone_candidates(bag: str, phone: str) -> int:
    """Mobiles consistent with the longest prefix and suffix of the phone that `bag` shows."""
    prefix = max((k for k in range(12) if phone[:k] in bag), default=0)
    suffix = max((k for k in range(12) if phone[len(phone) - k :] in bag), default=0)
    return 10 ** max(len(phone) - prefix - suffix, 0)


def test_it_counts_a_whole_number_when_region_date_and_last_four_are_shown() -> None:
    """The counter itself: the join the penetration test made (region + last four + whole date) is 1."""
    number = idcard.make("330106", BIRTH, 11, "M")
    old_mask = number[:6] + "********" + number[-4:]
    assert id_candidates(f"{old_mask} {BIRTH:%Y-%m-%d}", number) == 1
    assert id_candidates(f"{old_mask} {BIRTH:%Y-%m}", number) < 10  # the month leaves ~3: too few
    assert id_candidates(f"{number[-4:]} {number[:6]} {BIRTH:%Y}", number, TODAY) >= 10  # the year: ~1/11 of its days
    assert phone_candidates("139****5678", PHONE) == 10_000


def visible_bag(cast: Cast, person: Retiree) -> str:
    client = login_client(cast.clerk)
    api = APIClient()
    api.force_authenticate(cast.clerk)
    parts: list[str] = []
    for url in (
        "/registry/",
        f"/registry/?q={person.name}",
        f"/registry/?q={person.id_last4}",
        f"/registry/{person.pk}/",
        f"/registry/{person.pk}/?reveal=1",
        f"/registry/{person.pk}/edit/",
        f"/registry/lookup/?q={person.name}",
        f"/registry/lookup/?q={person.id_last4}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        parts.append(response.content.decode())
    for url in ("/api/v1/retirees/", f"/api/v1/retirees/{person.pk}/", f"/api/v1/retirees/?search={person.name}"):
        response = api.get(url)
        assert response.status_code == 200, url
        parts.append(response.content.decode())
    for url in (f"/registry/{person.pk}/pdf/", f"/registry/{person.pk}/pdf/?reveal=1"):  # the printed summary
        response = client.get(url)
        assert response.status_code == 200, url
        parts.append(read_pdf(response.content).text)
    export = client.get("/registry/?export=xlsx")
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts.append(" ".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)


@pytest.fixture
def bag_and_person(cast: Cast, time_machine: Any) -> tuple[str, Retiree, str]:
    time_machine.move_to(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=dt.UTC), tick=False)
    org = cast.tree.county_a
    region = (org.division_id or org.code)[:6]
    number = idcard.make(region, BIRTH, 37, "M")
    person = make_retiree_record(org, "李卫东", PHONE, 9, birth_date=BIRTH, gender="M", id_number=number)
    return visible_bag(cast, person), person, number


def test_it_shows_a_clerk_neither_the_whole_birth_date_nor_the_region(bag_and_person: Any) -> None:
    bag, person, number = bag_and_person
    assert person.name in bag and number[-4:] in bag  # the pages were read, and show the last four
    assert number not in bag and f"{BIRTH:%Y-%m-%d}" not in bag and f"{BIRTH:%Y%m%d}" not in bag
    assert f"{BIRTH:%Y-%m}" not in bag and f"{BIRTH:%Y.%m}" not in bag  # the year only
    assert number[:6] + "*" not in bag  # the mask no longer starts with the region
    assert phone_candidates(bag, PHONE) >= 1000


def test_it_leaves_a_clerk_many_candidates_for_the_id_number(bag_and_person: Any) -> None:
    """Even granting the region (the org's code tells it for people born where they retired)."""
    bag, _person, number = bag_and_person
    assert id_candidates(bag + " " + number[:6], number, TODAY) >= 10


def test_it_shows_the_whole_birth_date_to_a_bureau_admin_who_reveals(cast: Cast) -> None:
    page = login_client(cast.bureau_admin).get(f"/registry/{cast.retiree_record.pk}/?reveal=1").content.decode()
    assert f"{cast.retiree_record.birth_date:%Y-%m-%d}" in page and cast.retiree_record.id_number in page


def test_it_refuses_another_birth_date_without_naming_the_stored_one(cast: Cast) -> None:
    person = cast.retiree_record
    raw: dict[str, Any] = {"birth_date": "1930-02-03"}
    message = keep_birth_date(raw, person)
    assert message and not re.search(r"\d{4}", message)
    assert raw["birth_date"] == person.birth_date
    for kept in ("", f"{person.birth_date:%Y}", person.birth_date.isoformat()):
        raw = {"birth_date": kept}
        assert keep_birth_date(raw, person) is None and raw["birth_date"] == person.birth_date


def test_it_answers_an_api_birth_date_change_without_the_stored_date(cast: Cast) -> None:
    person = cast.family_record
    api = APIClient()
    api.force_authenticate(cast.clerk)
    response = api.patch(
        f"/api/v1/retirees/{person.pk}/", {"birth_date": "1930-02-03", "version": person.version}, format="json"
    )
    assert response.status_code == 400
    assert person.birth_date.isoformat() not in response.content.decode()


def test_it_rewrites_the_stored_masks_in_the_migration(cast: Cast) -> None:
    import importlib

    from django.apps import apps

    person = cast.retiree_record
    old = person.id_number[:6] + "********" + person.id_number[-4:]
    Retiree.objects.unrestricted().filter(pk=person.pk).update(id_masked=old)
    importlib.import_module("yinling.registry.migrations.0006_id_masked_last_four").forwards(apps, None)
    assert Retiree.objects.unrestricted().get(pk=person.pk).id_masked == "*" * 14 + person.id_number[-4:]


def age_answers(client: Any, api: APIClient, person: Retiree) -> tuple[Any, ...]:
    """Everything a user is told that depends on the person's age: the record page, the API record, the
    picker's label, and whether age filters around this year's age find them."""
    page = client.get(f"/registry/{person.pk}/").content.decode()
    page_age = re.search(r"\((\d+)\s*(?:years|岁)\)", page)
    record = api.get(f"/api/v1/retirees/{person.pk}/").json()
    picker = client.get(f"/registry/lookup/?q={person.name}").content.decode()
    this_year = TODAY.year - BIRTH.year
    found = []
    for query in (f"age_min={this_year}", f"age_max={this_year - 1}", f"age_min={this_year}&age_max={this_year}"):
        rows = api.get(f"/api/v1/retirees/?{query}&search={person.name}").json()["results"]
        found.append(any(r["id"] == person.pk for r in rows))
    picker_ages = tuple(re.findall(r"(\d+)\s*(?:years|岁)", picker))
    return page_age and page_age.group(1), record["age"], picker_ages, tuple(found)


@pytest.mark.parametrize("role", ["clerk", "bureau_admin"])
def test_it_tells_a_clerk_nothing_of_the_birthday_through_ages(cast: Cast, time_machine: Any, role: str) -> None:
    """Watched day by day, an age to the day (and an age filter's answer) changes on the birthday. What a
    role without the sensitive right is told stays the same all year; a bureau admin's changes."""
    org = cast.tree.county_a
    person = make_retiree_record(org, "李卫东", PHONE, 9, birth_date=BIRTH, gender="M")
    user = getattr(cast, role)
    api = APIClient()
    api.force_authenticate(user)
    answers = set()
    for day in (
        dt.date(2026, 1, 2),
        BIRTH.replace(year=2026) - dt.timedelta(days=1),
        BIRTH.replace(year=2026),
        dt.date(2026, 12, 30),
    ):
        time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC), tick=False)
        answers.add(age_answers(login_client(user), api, person))  # a new session: months pass
    if role == "clerk":
        assert len(answers) == 1, answers
        assert next(iter(answers))[1] == TODAY.year - BIRTH.year
    else:
        assert len(answers) == 2, answers  # before the birthday and from it: the admin sees whole dates

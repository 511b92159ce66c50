"""The campus API's catalogue, registrar and lottery contract (issue #13 "API (stable interface)"): the section
list's filters and detail with seats_left; terms, courses and sections added by registrars (201 {"id"}, field
errors 400, office date spellings); the draw and the lottery's record; 404 outside scope and 403 inside
without the right, for every persona of the cast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yinling.campus import lottery
from yinling.campus.models import Course, Section, Term
from yinling.campus.services import enrol
from yinling.campus.tests import factories as f
from yinling.testing.permissions import api_client
from yinling.testing.personas import PERSONAS

pytestmark = pytest.mark.django_db

API = "/api/v1/campus"


def ids(answer: Any) -> set[int]:
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def test_it_lists_sections_with_the_contract_fields_and_filters(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    other_site = f.site(campus.school)
    painting = f.course(campus.school, "国画", "painting")
    s2 = f.section(campus.term, other_site, painting, slots=((2, "09:00", "11:00"),))
    later = f.term(campus.school, open_now=False)
    s3 = f.section(later, campus.site, painting)
    client = api_client(cast.retiree)
    assert ids(client.get(f"{API}/sections/")) == {campus.section.pk, s2.pk, s3.pk}
    assert ids(client.get(f"{API}/sections/", {"term": campus.term.pk})) == {campus.section.pk, s2.pk}
    assert ids(client.get(f"{API}/sections/", {"site": other_site.pk})) == {s2.pk}
    assert ids(client.get(f"{API}/sections/", {"site": other_site.org.code})) == {s2.pk}
    assert ids(client.get(f"{API}/sections/", {"course": painting.pk})) == {s2.pk, s3.pk}
    assert ids(client.get(f"{API}/sections/", {"open": "1"})) == {campus.section.pk, s2.pk}
    assert ids(client.get(f"{API}/sections/", {"open": "1", "course": painting.pk})) == {s2.pk}
    row = next(r for r in client.get(f"{API}/sections/").json()["results"] if r["id"] == s2.pk)
    assert row["seats_left"] == 2 and row["capacity"] == 2
    assert row["course"] == {"id": painting.pk, "name": "国画", "category": "painting"}
    assert row["site"]["id"] == other_site.pk and row["site"]["code"] == other_site.org.code
    assert row["term"]["id"] == campus.term.pk and row["open"] is True
    assert row["slots"] == [{"weekday": 2, "start": "09:00", "end": "11:00"}]
    # Junk filter values are a 400 with the field named, never a 500.
    for bad in ({"term": "abc"}, {"term": str(2**70)}, {"open": "yes"}):
        answer = client.get(f"{API}/sections/", bad)
        assert answer.status_code == 400, (bad, answer.content)


def test_it_shows_a_section_with_seats_left(campus) -> None:  # type: ignore[no-untyped-def]
    person = f.person(campus.cast.tree.unit_a)
    url = f"{API}/sections/{campus.section.pk}/"
    assert api_client(person.account).get(url).json()["seats_left"] == 2
    enrol.do_enrol(by=person.account, section=campus.section, retiree=person)
    data = api_client(person.account).get(url).json()
    assert (data["id"], data["seats_left"], data["waitlist"]) == (campus.section.pk, 1, True)
    assert api_client(campus.cast.clerk).get(url).json()["seats_left"] == 1


def test_it_keeps_staff_lists_to_their_scope(campus) -> None:  # type: ignore[no-untyped-def]
    cast = campus.cast
    assert ids(api_client(cast.clerk).get(f"{API}/sections/")) == {campus.section.pk}
    assert ids(api_client(cast.leader).get(f"{API}/sections/")) == {campus.section.pk}
    assert ids(api_client(cast.outsider).get(f"{API}/sections/")) == set()
    assert api_client(cast.outsider).get(f"{API}/sections/{campus.section.pk}/").status_code == 404
    assert api_client(cast.norole).get(f"{API}/sections/").status_code == 403
    assert api_client(None).get(f"{API}/sections/").status_code in (401, 403)


TERM = {
    "school": "330106",
    "name": "2027年秋季学期",
    "starts": "2027年9月1日",
    "ends": "2028.1.15",
    "mode": "lottery",
    "apply_from": "2027年6月1日 9:00",
    "apply_until": "２０２７-０６-２０T１８:００",
}


def test_it_creates_a_term_from_office_spellings(campus) -> None:  # type: ignore[no-untyped-def]
    answer = api_client(campus.cast.clerk).post(f"{API}/terms/", TERM, format="json")
    assert answer.status_code == 201, answer.content
    assert set(answer.json()) == {"id"}
    term = Term.objects.unrestricted().get(pk=answer.json()["id"])
    assert (term.starts, term.ends) == (dt.date(2027, 9, 1), dt.date(2028, 1, 15))
    assert (term.mode, term.limit, term.school) == ("lottery", 2, campus.school)
    local = timezone.localtime(term.apply_from)
    assert (local.date(), local.hour) == (dt.date(2027, 6, 1), 9)
    assert timezone.localtime(term.apply_until).date() == dt.date(2027, 6, 20)
    assert term.seed_sha256 == lottery.seed_sha256(term.seed)
    answer = api_client(campus.cast.clerk).post(f"{API}/terms/", {**TERM, "starts": "２０２７年９月２日", "limit": 3})
    assert answer.status_code == 201, answer.content
    made = Term.objects.unrestricted().get(pk=answer.json()["id"])
    assert (made.starts, made.limit) == (dt.date(2027, 9, 2), 3)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts": "2027-13-45"}, "starts"),
        ({"starts": "明年"}, "starts"),
        ({"name": ""}, "name"),
        ({"mode": "raffle"}, "mode"),
        ({"limit": 0}, "limit"),
        ({"apply_until": "soon"}, "apply_until"),
        ({"school": "999999"}, "school"),
        ({"school": "330212"}, "school"),  # 鄞州: another subtree reads as no such school
    ],
)
def test_it_answers_bad_term_input_with_field_errors(campus, change: dict[str, Any], field: str) -> None:  # type: ignore[no-untyped-def]
    answer = api_client(campus.cast.clerk).post(f"{API}/terms/", {**TERM, **change}, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not Term.objects.unrestricted().filter(name=TERM["name"]).exists()


def test_it_refuses_a_term_that_ends_before_it_starts_as_409(campus) -> None:  # type: ignore[no-untyped-def]
    answer = api_client(campus.cast.clerk).post(f"{API}/terms/", {**TERM, "ends": "2027.8.1"}, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"] == "invalid"


def test_it_creates_a_course_and_a_section(campus) -> None:  # type: ignore[no-untyped-def]
    client = api_client(campus.cast.clerk)
    answer = client.post(f"{API}/courses/", {"school": "330106", "name": "太极拳", "category": "taichi"}, format="json")
    assert answer.status_code == 201, answer.content
    course = Course.objects.unrestricted().get(pk=answer.json()["id"])
    assert (course.name, course.category, course.school) == ("太极拳", "taichi", campus.school)
    body = {
        "course": course.pk,
        "term": campus.term.pk,
        "site": campus.site.org.code,
        "teacher": "李老师",
        "capacity": 30,
        "slots": [{"weekday": 3, "start": "9点", "end": "10点30分"}, {"weekday": 5, "start": "14:00", "end": "15:30"}],
        "fee": "120.00",
        "waitlist": False,
        "age_max": 85,
    }
    answer = client.post(f"{API}/sections/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert set(answer.json()) == {"id"}
    section = Section.objects.unrestricted().get(pk=answer.json()["id"])
    assert (section.capacity, section.waitlist, section.age_max, section.age_min, section.teacher) == (
        30,
        False,
        85,
        None,
        "李老师",
    )
    assert sorted((s.weekday, s.start, s.end) for s in section.slots.all()) == [
        (3, dt.time(9), dt.time(10, 30)),
        (5, dt.time(14), dt.time(15, 30)),
    ]
    detail = client.get(f"{API}/sections/{section.pk}/").json()
    assert detail["seats_left"] == 30 and detail["fee"] == "120.00"
    for bad, field in (
        ({"capacity": 0}, "capacity"),
        ({"slots": []}, "slots"),
        ({"slots": [{"weekday": 8, "start": "09:00", "end": "10:00"}]}, "slots"),
        ({"course": "abc"}, "course"),
        ({"course": 2**70}, "course"),
        ({"term": 10**12}, "term"),
        ({"site": "330212"}, "site"),
        ({"fee": "-1"}, "fee"),
    ):
        answer = client.post(f"{API}/sections/", {**body, **bad}, format="json")
        assert answer.status_code == 400, (bad, answer.content)
        assert field in answer.json(), (bad, answer.json())
    for bad, field in (({"category": "poker"}, "category"), ({"name": ""}, "name"), ({"school": "x"}, "school")):
        course_body = {"school": "330106", "name": "太极拳", "category": "taichi", **bad}
        answer = client.post(f"{API}/courses/", course_body, format="json")
        assert answer.status_code == 400 and field in answer.json(), (bad, answer.content)


# Who may add to the catalogue: registrars (clerk of the county, bureau admin of the city) in scope.
CREATORS = {"clerk", "bureau_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_registrars_create(campus, persona: str) -> None:  # type: ignore[no-untyped-def]
    user = campus.cast.user(persona)
    client = api_client(user)
    course = f.course(campus.school)
    answers = {
        "term": client.post(f"{API}/terms/", TERM, format="json"),
        "course": client.post(
            f"{API}/courses/", {"school": "330106", "name": "声乐", "category": "singing"}, format="json"
        ),
        "section": client.post(
            f"{API}/sections/",
            {
                "course": course.pk,
                "term": campus.term.pk,
                "site": campus.site.org.code,
                "capacity": 5,
                "slots": [{"weekday": 1, "start": "08:00", "end": "09:00"}],
            },
            format="json",
        ),
    }
    for what, answer in answers.items():
        if persona == "anonymous":
            assert answer.status_code in (401, 403), what
        elif persona in CREATORS:
            assert answer.status_code == 201, (what, answer.content)
        elif persona == "outsider":
            # A registrar of another subtree: our school, term and site read as ones that do not exist.
            assert answer.status_code == 400, (what, answer.content)
        else:
            assert answer.status_code == 403, (persona, what, answer.content)


@pytest.fixture
def closed_lottery(campus):  # type: ignore[no-untyped-def]
    term = f.term(campus.school, mode=Term.Mode.LOTTERY)
    section = f.section(term, campus.site, capacity=1)
    people = [f.person(campus.cast.tree.unit_a) for _ in range(3)]
    for p in people:
        enrol.do_enrol(by=p.account, section=section, retiree=p)
    return term, section, people


# The draw: registrars in scope run it; the leader (view only) is refused inside the scope; everyone else
# (another subtree, no role, the administrators without campus rights, members) finds no such term.
DRAW = {"clerk": 200, "bureau_admin": 200, "leader": 403, "outsider": 404, "norole": 404}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_draws_for_registrars_and_publishes_the_seed_after(campus, closed_lottery, persona: str) -> None:  # type: ignore[no-untyped-def]
    term, section, _people = closed_lottery
    user = campus.cast.user(persona)
    record = api_client(campus.cast.retiree).get(f"{API}/terms/{term.pk}/lottery/")
    assert record.status_code == 200
    before = record.json()
    assert before["seed"] is None and before["results"] == []
    assert before["seed_sha256"] == term.seed_sha256
    with time_machine.travel(term.apply_until + dt.timedelta(minutes=5)):
        answer = api_client(user).post(f"{API}/terms/{term.pk}/draw/")
    expected = DRAW.get(persona, 401 if persona == "anonymous" else 404)
    if persona == "anonymous":
        assert answer.status_code in (401, 403)
        return
    assert answer.status_code == expected, (persona, answer.content)
    after = api_client(campus.cast.retiree).get(f"{API}/terms/{term.pk}/lottery/").json()
    if expected != 200:
        assert after["seed"] is None
        return
    data = answer.json()
    assert (data["seed"], data["enrolled"], data["waitlisted"]) == (term.seed, 1, 2)
    assert after["seed"] == term.seed and after["results_sha256"] == data["results_sha256"]
    assert sorted((r["status"], r["position"]) for r in after["results"]) == [
        ("enrolled", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert {r["section"] for r in after["results"]} == {section.pk}
    assert all(len(r["applicant"]) == 16 for r in after["results"])  # anonymised keys, not ids
    # A second draw is refused as a duplicate.
    with time_machine.travel(term.apply_until + dt.timedelta(minutes=6)):
        again = api_client(user).post(f"{API}/terms/{term.pk}/draw/")
    assert (again.status_code, again.json()["error"]) == (409, "duplicate")


def test_it_refuses_a_draw_while_the_window_is_open_and_junk_term_ids(campus, closed_lottery) -> None:  # type: ignore[no-untyped-def]
    term = closed_lottery[0]
    client = api_client(campus.cast.clerk)
    answer = client.post(f"{API}/terms/{term.pk}/draw/")
    assert (answer.status_code, answer.json()["error"]) == (409, "closed")
    for junk in (str(2**70), "abc", "-1", "0"):
        assert client.post(f"{API}/terms/{junk}/draw/").status_code == 404
        assert client.get(f"{API}/terms/{junk}/lottery/").status_code == 404


def test_it_shows_a_live_class_link_only_to_its_students_and_staff(campus) -> None:  # type: ignore[no-untyped-def]
    from yinling.campus.models import Enrolment, Section
    from yinling.campus.tests import factories as f
    from yinling.testing.permissions import api_client

    Section.objects.unrestricted().filter(pk=campus.section.pk).update(live_url="https://live.example.org/9")
    student, stranger = f.person(campus.cast.tree.unit_a), f.person(campus.cast.tree.unit_a)
    Enrolment.objects.create(section=campus.section, term=campus.term, retiree=student, status="enrolled")
    url = f"/api/v1/campus/sections/{campus.section.pk}/"
    assert api_client(student.account).get(url).json()["live_url"] == "https://live.example.org/9"
    assert api_client(stranger.account).get(url).json()["live_url"] == ""
    listed = api_client(stranger.account).get("/api/v1/campus/sections/").json()["results"]
    assert all(row["live_url"] == "" for row in listed)
    assert api_client(campus.cast.clerk).get(url).json()["live_url"] == "https://live.example.org/9"

"""The campus demo seeder: the issue's demo contract holds, it runs twice without duplicates, and it works
from an empty registry (`seed_demo --retirees 0`) up."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from yinling.accounts.demo import seed_accounts
from yinling.accounts.models import User
from yinling.audit.models import AuditRecord
from yinling.campus import demo
from yinling.campus.models import Course, Enrolment, Meeting, Presence, School, Section, Site, Term
from yinling.campus.services import offers, rules
from yinling.campus.services.draw import do_draw, verify
from yinling.campus.tests.factories import person
from yinling.core.scoping import can_at
from yinling.orgs.demo import seed_org_tree
from yinling.orgs.models import Org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def quiet(line: str) -> None:
    pass


@pytest.fixture
def tree() -> None:
    seed_org_tree({}, quiet)
    seed_accounts({}, quiet)


@pytest.fixture
def people(tree: None) -> None:
    """26 people of the right age in 西湖区 (some without accounts, as the registry's demo leaves most),
    50 elsewhere in Hangzhou, a few in 鄞州 and 鹿城; and two in 西湖区 too old and too young to count."""
    xihu = [Org.objects.get(code=c) for c in ("330106", "330106U01", "330106U02", "330106S01", "330106S02")]
    for n in range(26):
        person(xihu[n % 5], age=56 + n % 19, gender="FM"[n % 2], with_account=n % 3 != 0)
    person(xihu[0], age=82)
    person(xihu[1], age=50)
    hangzhou = list(
        Org.objects.filter(path__startswith="330000/330100/", kind="station").exclude(code__startswith="330106")
    )
    for n in range(50):
        person(hangzhou[n % len(hangzhou)], age=58 + n % 17, gender="MF"[n % 2], with_account=False)
    for code in ("330212S01", "330302S01"):
        for n in range(6):
            person(Org.objects.get(code=code), age=60 + n, with_account=False)


def seeded(lines: list[str] | None = None) -> list[str]:
    out: list[str] = [] if lines is None else lines
    demo.seed_campus({}, out.append)
    return out


def logins(lines: list[str]) -> list[str]:
    """The usernames listed under the students' heading."""
    start = next(i for i, line in enumerate(lines) if "campus students" in line)
    return [line.split()[0] for line in lines[start + 1 :] if line.startswith("    ")]


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.unrestricted().count()
        for m in (Org, School, Site, Term, Course, Section, Enrolment, Meeting, Presence, User)
    )


def km(a: Any, b: Any) -> float:
    lat1, lng1, lat2, lng2 = (math.radians(float(x)) for x in (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def xihu_terms() -> dict[str, Term]:
    school = School.objects.unrestricted().get(org__code=demo.XIHU_SCHOOL)
    today = timezone.localdate()
    terms = list(Term.objects.unrestricted().filter(school=school))
    return {
        "past": next(t for t in terms if t.ends < today),
        "first_come": next(t for t in terms if t.mode == Term.Mode.FIRST_COME and t.ends >= today),
        "lottery": next(t for t in terms if t.mode == Term.Mode.LOTTERY),
    }


def test_it_builds_schools_and_sites_across_the_tree_near_xihus_communities(people: None) -> None:
    seeded()
    schools = School.objects.unrestricted().select_related("org__parent")
    assert {s.org.parent.code for s in schools} == {"330000", "330100", "330106", "330212", "330302"}
    xihu = schools.get(org__code=demo.XIHU_SCHOOL)
    assert xihu.org.kind == Org.Kind.UNIT
    sites = list(Site.objects.unrestricted().filter(school=xihu).select_related("org"))
    assert len(sites) >= 5 and {s.kind for s in sites} >= {"campus", "branch", "doorstep", "station"}
    communities = list(Org.objects.filter(path__startswith=xihu.org.parent.path, kind__in=["unit", "station"]))
    communities = [o for o in communities if not o.path.startswith(xihu.org.path)]
    assert len(communities) == 4 and all(o.latitude is not None for o in communities)
    for site in sites:
        assert site.org.parent_id == xihu.org.pk and site.address and site.rooms and site.opening_hours
        assert (site.latitude, site.longitude) == (site.org.latitude, site.org.longitude)
        assert min(km(site, o) for o in communities) < 3.0
    for community in communities:  # every community has a site within reach
        assert min(km(site, community) for site in sites) < 3.0
    # Built through the catalogue services: each school, site, term, course and class has its audit record.
    for model in (School, Site, Term, Course, Section):
        made = model.objects.unrestricted().count()
        recorded = AuditRecord.objects.filter(
            action=AuditRecord.Action.CREATE, object_type=model._meta.label_lower
        ).count()
        assert made and recorded == made
    assert Course.objects.unrestricted().get(school=xihu, name="书法提高班").prerequisite.name == "书法入门"


def test_it_keeps_the_demo_contract(people: None) -> None:
    lines = seeded()
    terms = xihu_terms()
    now = timezone.now()
    # A past term with attendance.
    past = terms["past"]
    assert Presence.objects.unrestricted().filter(meeting__section__term=past).count() > 100
    assert not Meeting.objects.unrestricted().filter(section__term=past, date__gt=past.ends).exists()
    for mark in Presence.objects.unrestricted().filter(meeting__section__term=past).select_related("meeting")[:50]:
        assert timezone.localtime(mark.at).date() == mark.meeting.date  # dated as the history it stands for
    assert Enrolment.objects.unrestricted().filter(term=past, completed=True).exists()
    # A first-come term open now: seats partly taken, one class full with a waitlist, a seat offered.
    first = terms["first_come"]
    assert rules.window_open(first, now)
    sections = list(Section.objects.unrestricted().filter(term=first))
    full = [s for s in sections if s.taken == s.capacity]
    assert len(full) == 1 and any(0 < s.taken < s.capacity for s in sections)
    assert Enrolment.objects.unrestricted().filter(section=full[0], status="waitlisted").count() >= 1
    offer = Enrolment.objects.unrestricted().get(section=full[0], status="offered")
    assert offer.offered_until > now
    # A lottery term in its window, with more applications than seats.
    lottery = terms["lottery"]
    assert rules.window_open(lottery, now) and lottery.drawn_at is None
    seats = sum(Section.objects.unrestricted().filter(term=lottery).values_list("capacity", flat=True))
    applied = Enrolment.objects.unrestricted().filter(term=lottery, status="applied")
    assert applied.count() > seats
    assert applied.filter(section__course__name="书法提高班").exists()  # by those who took 书法入门
    # Twenty students with accounts in 西湖区, eligible for the lottery's classes; the offer is one of theirs.
    students = demo.students(timezone.localdate())
    assert len(students) == 20 and offer.retiree in students
    xihu = Org.objects.get(code="330106")
    open_class = Section.objects.unrestricted().filter(term=lottery, course__prerequisite__isnull=True).first()
    for s in students:
        assert s.account is not None and s.org.path.startswith(xihu.path)
        assert 55 <= s.age_on(timezone.localdate()) <= 75
        rules.check_eligible(s, open_class)
        assert s.account.username in "\n".join(lines)
    # xihu is a registrar at 西湖区's school, and the output says so.
    clerk = User.objects.get(username="xihu")
    school = School.objects.unrestricted().get(org__code=demo.XIHU_SCHOOL)
    assert can_at(clerk, Section, "add", school.org) and can_at(clerk, Term, "add", school.org)
    assert any("xihu" in line and "registrar" in line for line in lines)
    assert any(offer.retiree.account.username in line and "offered" in line for line in lines)


def test_it_leaves_an_offer_to_accept_and_a_lottery_xihu_can_draw(people: None) -> None:
    seeded()
    terms = xihu_terms()
    offer = Enrolment.objects.unrestricted().select_related("section__term", "retiree__account").get(status="offered")
    accepted = offers.do_accept(by=offer.retiree.account, section=offer.section, retiree=offer.retiree)
    assert accepted.status == Enrolment.Status.ENROLLED
    lottery = terms["lottery"]
    with time_machine.travel(lottery.apply_until + dt.timedelta(minutes=1)):
        draw = do_draw(by=User.objects.get(username="xihu"), term=lottery)
    assert verify(draw, lottery.seed, lottery.seed_sha256) == []
    for section in Section.objects.unrestricted().filter(term=lottery):
        assert section.taken == section.capacity  # demand exceeds the seats of every class
    assert Enrolment.objects.unrestricted().filter(term=lottery, status="waitlisted").exists()


def test_it_names_terms_by_their_middle() -> None:
    assert demo._term_name(dt.date(2026, 6, 8), dt.date(2026, 11, 2)) == "2026年秋季学期"
    assert demo._term_name(dt.date(2027, 2, 15), dt.date(2027, 6, 28)) == "2027年春季学期"
    assert demo._term_name(dt.date(2026, 11, 1), dt.date(2027, 2, 20)) == "2026年秋季学期"


def test_it_runs_twice_without_duplicates(people: None) -> None:
    first = seeded()
    before = counts()
    again = seeded()
    assert counts() == before
    assert "already exists" in again[0]
    # The logins are printed again, the same twenty.
    assert len(logins(first)) == 20 and logins(again) == logins(first)
    assert any("lottery" in line and "applicants for" in line for line in again)


def test_it_seeds_an_empty_registry_and_again_without_duplicates() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--retirees", "0", stdout=out)
    text = out.getvalue()
    assert School.objects.unrestricted().count() == len(demo.SCHOOLS)
    assert not Enrolment.objects.unrestricted().exists()
    assert "too few people" in text and "only 0 people" in text
    before = counts()
    call_command("seed_demo", "--retirees", "0", stdout=io.StringIO())
    assert counts() == before
    terms = xihu_terms()  # the terms are there, dated from today, with nobody in them yet
    assert rules.window_open(terms["first_come"]) and rules.window_open(terms["lottery"])


def test_it_gives_xihus_orgs_coordinates_also_in_a_tree_seeded_before(tree: None) -> None:
    from yinling.orgs.demo import COORDINATES

    located = Org.objects.filter(code__in=list(COORDINATES))
    assert located.count() == 5 and not located.filter(latitude__isnull=True).exists()
    located.update(latitude=None, longitude=None)  # as a tree seeded before coordinates existed
    lines: list[str] = []
    seed_org_tree({}, lines.append)
    assert "5 given coordinates" in lines[-1]
    assert not located.filter(latitude__isnull=True).exists()
    places = list(located)
    assert all(0.5 < km(a, b) < 8 for i, a in enumerate(places) for b in places[i + 1 :])  # a few km apart

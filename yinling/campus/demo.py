"""Demo 智慧校园: five schools across the tree, their sites, courses, three kinds of term, and twenty students.

西湖区老年大学 (a unit under 330106, where the `xihu` clerk is a registrar) has six sites within a few km
of 西湖区's communities and runs three terms, all dated from today so the demo always works: a past term
with its class meetings and attendance, a first-come term open now (one class full, with a waitlist and a
seat offered to the first demo student), and a lottery term in its application window with more
applicants than seats. The province's, Hangzhou's and two other counties' schools run a term each.

The catalogue is built through the catalogue services acting as the province's bureau admin, so every
school, site, term, course and class has its audit record, and the current terms' requests go through
`do_enrol` (the students' own, or the clerk's 代办), so seats, waitlists and offers are as the services
keep them. The past term is history: its enrolments, meetings and attendance are written as rows.

The twenty students are the registry's living people in 西湖区 aged 55–75 (those with demo accounts
first); the ones without an account get one, named as the registry names them (r + their number on
register). Idempotent: once 西湖区's school exists nothing is made, and the logins are printed again.
Works for any `--retirees N`: with too few people the classes stay emptier, and the output says so.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from yinling.audit.context import acting
from yinling.campus.demo_data import COURSES, SCHOOLS, SchoolSpec
from yinling.campus.models import Course, Enrolment, Meeting, Presence, School, Section, Site, Term
from yinling.campus.services import catalogue, enrol
from yinling.core.demo import DEMO_PASSWORD
from yinling.core.refusals import Refused
from yinling.orgs.models import Org
from yinling.registry.models import Retiree

XIHU = "330106"
XIHU_SCHOOL = "330106LD"
STUDENTS = 20
AGES = (55, 75)

# (course, site suffix, seats, [(weekday, start, end)], fee) for 西湖区's three terms.
Plan = list[tuple[str, str, int, list[tuple[int, str, str]], int]]
XIHU_PLANS: dict[str, Plan] = {
    "past": [
        ("书法入门", "01", 20, [(1, "09:00", "11:00")], 0),
        ("二十四式太极拳", "03", 25, [(2, "08:30", "10:00")], 0),
        ("智能手机入门", "05", 15, [(3, "09:00", "11:00")], 0),
        ("合唱与发声", "01", 30, [(4, "14:00", "16:00")], 0),
        ("中医养生与慢病管理", "02", 30, [(5, "09:00", "11:00")], 0),
        ("唐诗宋词欣赏", "06", 20, [(3, "14:00", "16:00")], 0),
    ],
    # The first class fills up and keeps a waitlist (six seats at a doorstep site).
    "first_come": [
        ("智能手机入门", "05", 6, [(1, "09:00", "11:00")], 0),
        ("手机摄影", "03", 20, [(2, "09:00", "11:00")], 120),
        ("二十四式太极拳", "04", 25, [(3, "08:30", "10:00")], 0),
        ("葫芦丝", "06", 15, [(4, "14:00", "16:00")], 0),
        ("唐诗宋词欣赏", "01", 30, [(5, "09:00", "11:00")], 0),
        ("越剧唱腔", "02", 20, [(2, "14:00", "16:00")], 0),
    ],
    "lottery": [
        ("书法提高班", "01", 6, [(1, "14:00", "16:00")], 200),
        ("国画山水", "01", 8, [(2, "09:00", "11:00")], 260),
        ("民族舞", "02", 10, [(3, "09:00", "11:00")], 150),
        ("合唱与发声", "02", 12, [(4, "09:00", "11:00")], 150),
        ("二十四式太极拳", "03", 10, [(5, "08:30", "10:00")], 0),
        ("实用英语口语", "05", 8, [(1, "09:00", "11:00")], 180),
        ("中医养生与慢病管理", "04", 12, [(3, "14:00", "16:00")], 0),
        ("杭州历史文化", "06", 10, [(4, "14:00", "16:00")], 0),
    ],
}
# How popular each lottery class is (the weights applicants rank them by): demand is uneven, as in Hangzhou.
LOTTERY_WEIGHTS = (6, 4, 3, 5, 5, 3, 2, 2)
OTHER_WEIGHTS = (3, 2, 2, 1, 1, 1)
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _term_name(starts: dt.date, ends: dt.date) -> str:
    """春季 or 秋季 by the term's middle (a term running into January is the autumn one of the year before)."""
    middle = starts + (ends - starts) / 2
    if 2 <= middle.month <= 7:
        return f"{middle.year}年春季学期"
    return f"{middle.year - (middle.month == 1)}年秋季学期"


def term_dates(kind: str, today: dt.date) -> dict[str, Any]:
    """A term's name and dates relative to today: past (ended five weeks ago), first-come (open now,
    classes in two weeks), lottery (window open now, classes in ten weeks)."""

    def at(days: int, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour)))

    if kind == "past":
        starts, ends = today - dt.timedelta(days=182), today - dt.timedelta(days=35)
        return {
            "name": _term_name(starts, ends),
            "starts": starts,
            "ends": ends,
            "apply_from": at(-212, 9),
            "apply_until": at(-196, 17),
            "mode": Term.Mode.FIRST_COME,
        }
    if kind == "first_come":
        starts = today + dt.timedelta(days=14)
        return {
            "name": f"{starts.year}年{starts.month}月短期班",
            "starts": starts,
            "ends": starts + dt.timedelta(days=55),
            "apply_from": at(-2, 9),
            "apply_until": at(12, 17),
            "mode": Term.Mode.FIRST_COME,
            "fees_due": today + dt.timedelta(days=10),
        }
    starts = today + dt.timedelta(days=70)
    ends = starts + dt.timedelta(days=133)
    return {
        "name": _term_name(starts, ends),
        "starts": starts,
        "ends": ends,
        "apply_from": at(-3, 9),
        "apply_until": at(11, 17),
        "mode": Term.Mode.LOTTERY,
        "fees_due": starts - dt.timedelta(days=14),
    }


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_q(today: dt.date) -> Q:
    """Aged AGES[0]–AGES[1] today."""
    oldest = _years_before(today, AGES[1] + 1) + dt.timedelta(days=1)
    return Q(birth_date__gte=oldest, birth_date__lte=_years_before(today, AGES[0]))


def people_under(path: str, today: dt.date, limit: int, exclude: Iterable[int] = ()) -> list[Retiree]:
    """Living people on register under an org path, aged 55–75, by id."""
    return list(
        Retiree.objects.unrestricted()
        .filter(age_q(today), org__path__startswith=path, is_deleted=False, status="active")
        .exclude(pk__in=list(exclude))
        .select_related("org", "account")
        .order_by("id")[:limit]
    )


def students(today: dt.date, *, open_accounts: bool = False) -> list[Retiree]:
    """The twenty demo students, by id: 西湖区's living people aged 55–75 with accounts. With `open_accounts`,
    those with accounts first and then others, who get one."""
    xihu = Org.objects.unrestricted().filter(code=XIHU).first()
    if xihu is None:
        return []
    found = people_under(xihu.path, today, 10_000)
    if open_accounts:
        chosen = sorted(found, key=lambda r: (r.account_id is None, r.pk))[:STUDENTS]
        _open_accounts([r for r in chosen if r.account_id is None])
    else:
        chosen = [r for r in found if r.account_id][:STUDENTS]
    return sorted(chosen, key=lambda r: r.pk)


def _open_accounts(people: list[Retiree]) -> None:
    """Accounts named as the registry names its demo accounts: r + the person's number on register."""
    from yinling.accounts.models import User

    if not people:
        return
    hashed = make_password(DEMO_PASSWORD)  # one PBKDF2 hash for all, as the registry's demo does
    for r in people:
        number = Retiree.objects.unrestricted().filter(pk__lte=r.pk).count()
        username = f"r{number:05d}"
        if User.objects.filter(username=username).exists():
            username = f"r{r.pk:05d}x"
        user = User.objects.create(
            username=username, password=hashed, kind="retiree", full_name=r.name, org=r.org, elder_mode=True
        )
        Retiree.objects.unrestricted().filter(pk=r.pk).update(account=user)
        r.account = user


def _org(parent: Org, code: str, name: str, kind: str, lat: str, lng: str) -> Org:
    org = Org.objects.unrestricted().filter(code=code).first()
    if org is None:
        org = Org(code=code, name=name, kind=kind, parent=parent, division_id=parent.division_id)
        org.latitude, org.longitude = Decimal(lat), Decimal(lng)
        org.save()
    return org


def _build_school(spec: SchoolSpec, admin: Any) -> tuple[School, dict[str, Site], dict[str, Course]]:
    parent = Org.objects.unrestricted().get(code=spec.parent)
    org = _org(parent, spec.code, spec.name, Org.Kind.UNIT, spec.lat, spec.lng)
    school = catalogue.do_create_school(by=admin, org=org, name=spec.name, returning_priority=spec.returning_priority)
    sites = {}
    for s in spec.sites:
        kind = Org.Kind.STATION if s.kind in (Site.Kind.DOORSTEP, Site.Kind.STATION) else Org.Kind.UNIT
        site_org = _org(org, spec.code + s.suffix, s.name, kind, s.lat, s.lng)
        sites[s.suffix] = catalogue.do_create_site(
            by=admin,
            school=school,
            org=site_org,
            name=s.name,
            kind=s.kind,
            address=s.address,
            latitude=Decimal(s.lat),
            longitude=Decimal(s.lng),
            rooms=s.rooms,
            opening_hours=s.hours,
        )
    courses: dict[str, Course] = {}
    for name in spec.courses:  # a prerequisite comes before its follow-on in COURSES
        c = COURSES[name]
        courses[name] = catalogue.do_create_course(
            by=admin,
            school=school,
            name=c.name,
            category=c.category,
            description=c.description,
            prerequisite=courses.get(c.after) if c.after else None,
        )
    return school, sites, courses


def _generic_plan(spec: SchoolSpec, kind: str) -> Plan:
    """Other schools: one class of each course, spread over the week and the sites."""
    suffixes = [s.suffix for s in spec.sites]
    plan: Plan = []
    for i, name in enumerate(spec.courses):
        start, end = ("09:00", "11:00") if i % 2 == 0 else ("14:00", "16:00")
        seats = (12 + 4 * (i % 3)) if kind == "lottery" else (20 + 5 * (i % 3))
        plan.append((name, suffixes[i % len(suffixes)], seats, [(i % 5 + 1, start, end)], (0, 100, 150)[i % 3]))
    return plan


def _sections(
    admin: Any, spec: SchoolSpec, term: Term, plan: Plan, sites: dict[str, Site], courses: dict[str, Course]
) -> list[Section]:
    made = []
    for i, (course, suffix, seats, slots, fee) in enumerate(plan):
        site = sites[suffix]
        rooms = site.room_list
        weekday, start, _end = slots[0]
        made.append(
            catalogue.do_create_section(
                by=admin,
                course=courses[course],
                term=term,
                site=site,
                capacity=seats,
                slots=[(w, _time(a), _time(b)) for w, a, b in slots],
                teacher=spec.teachers[i % len(spec.teachers)],
                name=WEEKDAYS[weekday - 1] + ("上午班" if start < "12" else "下午班"),
                room=rooms[i % len(rooms)] if rooms else "",
                fee=Decimal(fee),
            )
        )
    return made


def _ask(section: Section, person: Retiree, clerk: Any, rank: int | None = None) -> enrol.Answer | None:
    """One request, as the person themself (their account) or by the clerk on their behalf (代办)."""
    by = person.account if person.account_id else clerk
    try:
        with acting(by):
            return enrol.do_enrol(by=by, section=section, retiree=person, on_behalf=not person.account_id, rank=rank)
    except Refused:
        return None  # an age rule, the limit, a clash: the demo just moves on, as a person would


def _past_term(rng: random.Random, term: Term, sections: list[Section], people: list[Retiree]) -> tuple[int, int]:
    """History: enrolments (fees paid), the weekly meetings from start to end, attendance marks."""
    rows: list[Enrolment] = []
    taken: dict[int, int] = {s.pk: 0 for s in sections}
    for n, person in enumerate(people):
        # The first eight students take 书法入门, so some can go on to 书法提高班 (its prerequisite).
        wanted = [sections[0]] if n < 8 else []
        wanted += rng.sample(sections[1:], rng.choice([1, 1, 2]))
        for section in wanted[: term.limit]:
            if taken[section.pk] < section.capacity:
                taken[section.pk] += 1
                rows.append(
                    Enrolment(
                        section=section,
                        term=term,
                        retiree=person,
                        status=Enrolment.Status.ENROLLED,
                        fee_paid_on=term.starts if section.fee else None,
                    )
                )
    Enrolment.objects.bulk_create(rows, batch_size=500)
    for section in sections:
        Section.objects.unrestricted().filter(pk=section.pk).update(taken=taken[section.pk])
    meetings: list[Meeting] = []
    for section in sections:
        slots = list(section.slots.all())
        day = term.starts
        while day <= term.ends:
            meetings += [
                Meeting(section=section, date=day, start=s.start, end=s.end, code_secret=secrets.token_hex(32))
                for s in slots
                if s.weekday == day.isoweekday()
            ]
            day += dt.timedelta(days=1)
    Meeting.objects.bulk_create(meetings, batch_size=500)
    by_section: dict[int, list[Meeting]] = {}
    for m in meetings:
        by_section.setdefault(m.section_id, []).append(m)
    marks: list[Presence] = []
    done: list[int] = []
    for e in rows:
        keen = rng.uniform(0.6, 0.98)  # how regularly this person came
        held = by_section.get(e.section_id, [])
        came = [m for m in held if rng.random() < keen]
        marks += [Presence(meeting=m, enrolment=e, method=rng.choice(["teacher", "teacher", "code"])) for m in came]
        if held and len(came) >= 0.7 * len(held):
            done.append(e.pk)
    Presence.objects.bulk_create(marks, batch_size=1000)
    Enrolment.objects.unrestricted().filter(pk__in=done).update(completed=True)
    # Dated as the history they stand for (the fields stamp "now" when written): enrolled in the window,
    # marked present at the start of each meeting.
    enrolled_at = term.apply_from + dt.timedelta(hours=2)
    Enrolment.objects.unrestricted().filter(term=term).update(created_at=enrolled_at, changed_at=enrolled_at)
    for m in meetings:
        at = timezone.make_aware(dt.datetime.combine(m.date, m.start))
        Presence.objects.unrestricted().filter(meeting=m).update(at=at)
    return len(meetings), len(marks)


def _took(course_name: str, sections: list[Section]) -> set[int]:
    """Who was enrolled in the past term's class of a course (the prerequisite of a lottery class)."""
    ids = [s.pk for s in sections if s.course.name == course_name]
    return set(
        Enrolment.objects.unrestricted()
        .filter(section_id__in=ids, status=Enrolment.Status.ENROLLED)
        .values_list("retiree_id", flat=True)
    )


def _first_come(
    rng: random.Random, sections: list[Section], twenty: list[Retiree], others: list[Retiree], clerk: Any
) -> bool:
    """Fill the first class from others, waitlist the first student ahead of two more, let one seated
    person withdraw: the seat is offered to the first student. The other classes are partly taken.
    Returns whether the offer was made."""
    full, rest = sections[0], sections[1:]
    fillers = others + twenty[10:]
    seated = [p for p in fillers[: full.capacity] if (a := _ask(full, p, clerk)) is not None and a.status == "enrolled"]
    offered = False
    if len(seated) >= full.capacity and twenty:
        _ask(full, twenty[0], clerk)
        for p in fillers[full.capacity : full.capacity + 2]:
            _ask(full, p, clerk)
        leaving = seated[-1]
        by = leaving.account or clerk
        with acting(by):
            enrol.do_withdraw(by=by, section=full, retiree=leaving, on_behalf=not leaving.account_id)
        offered = Enrolment.objects.unrestricted().filter(section=full, retiree=twenty[0], status="offered").exists()
    for person in twenty[1:6] + fillers[full.capacity + 2 : full.capacity + 40]:
        section = Section.objects.unrestricted().select_related("term").get(pk=rng.choice(rest).pk)
        if section.taken < section.capacity * 0.6:
            _ask(section, person, clerk)
    return offered


def _lottery(
    rng: random.Random,
    sections: list[Section],
    applicants: list[Retiree],
    clerk: Any,
    weights: Iterable[int],
    keen: Iterable[int] = (),
) -> int:
    """Each applicant ranks one to three classes, the popular ones more often. A class with a prerequisite
    is the first choice of the `keen` (who took it) and nobody else's; a refused request (an age rule)
    just leaves that choice out. Returns the applications made."""
    made = 0
    keen_ids = set(keen)
    padded = list(weights) + [1] * len(sections)
    w = [0 if s.course.prerequisite_id else padded[i] for i, s in enumerate(sections)]
    follow_on = [s for s in sections if s.course.prerequisite_id][:1]
    open_choices = sum(1 for n in w if n)
    for person in applicants:
        picks: list[Section] = list(follow_on) if person.pk in keen_ids else []
        k = min(rng.choice([1, 2, 3, 3]), open_choices + len(picks))
        while len(picks) < k:
            s = rng.choices(sections, weights=w)[0]
            if s not in picks:
                picks.append(s)
        for rank, section in enumerate(picks, 1):
            if _ask(section, person, clerk, rank=rank) is not None:
                made += 1
    return made


def seed_campus(options: dict[str, Any], write: Callable[[str], None]) -> None:
    from yinling.accounts.models import User

    today = timezone.localdate()
    if School.objects.unrestricted().filter(org__code=XIHU_SCHOOL).exists():
        write("campus: 西湖区's school already exists; left as it is")
        _print_people(write, today)
        return
    admin = User.objects.filter(username="zhejiang").first()
    clerk = User.objects.filter(username="xihu").first() or admin
    if admin is None or not Org.objects.unrestricted().filter(code=XIHU).exists():
        write("campus: no demo org tree or province admin; skipped")
        return
    rng = random.Random(2020)  # noqa: S311 - synthetic demo data
    twenty = students(today, open_accounts=True)
    counts = dict.fromkeys(("schools", "sites", "terms", "sections", "applications", "meetings", "marks"), 0)
    offered = False
    past: list[Section] = []
    for spec in SCHOOLS:
        with acting(admin):
            school, sites, courses = _build_school(spec, admin)
        counts["schools"] += 1
        counts["sites"] += len(sites)
        parent = Org.objects.unrestricted().get(code=spec.parent)
        # Hangzhou's people go to 西湖区's and Hangzhou's schools; elsewhere, the school's own area's.
        area = Org.objects.unrestricted().get(code="330100").path if spec.parent == XIHU else parent.path
        others = people_under(area, today, 160, exclude={r.pk for r in twenty})
        for kind in spec.terms:
            with acting(admin):
                term = catalogue.do_create_term(by=admin, school=school, **term_dates(kind, today))
                plan = XIHU_PLANS[kind] if spec.code == XIHU_SCHOOL else _generic_plan(spec, kind)
                sections = _sections(admin, spec, term, plan, sites, courses)
            counts["terms"] += 1
            counts["sections"] += len(sections)
            if spec.code != XIHU_SCHOOL:
                if kind == "lottery":
                    counts["applications"] += _lottery(rng, sections, others[:60], admin, OTHER_WEIGHTS)
                else:
                    for person in others[:15]:
                        _ask(rng.choice(sections), person, admin)
            elif kind == "past":
                past = sections
                meetings, marks = _past_term(rng, term, sections, twenty + others[:60])
                counts["meetings"] += meetings
                counts["marks"] += marks
            elif kind == "first_come":
                offered = _first_come(rng, sections, twenty, others[100:], clerk)
            else:
                applicants = twenty[:12] + others[:100]
                keen = _took("书法入门", past)
                counts["applications"] += _lottery(rng, sections, applicants, clerk, LOTTERY_WEIGHTS, keen)
    write(
        f"campus: {counts['schools']} schools, {counts['sites']} sites, {counts['terms']} terms "
        f"(a past one, first-come open now, lottery windows open), {counts['sections']} classes; "
        f"the past term: {counts['meetings']} meetings, {counts['marks']} attendance marks; "
        f"{counts['applications']} lottery applications"
    )
    if not offered:
        write("  campus: too few people on register for a full class, its waitlist and an offered seat")
    _print_people(write, today)


def _term_state(term: Term, today: dt.date) -> str:
    until = timezone.localtime(term.apply_until).strftime("%m-%d %H:%M")
    seats = sum(Section.objects.unrestricted().filter(term=term).values_list("capacity", flat=True))
    if term.ends < today:
        marks = Presence.objects.unrestricted().filter(meeting__section__term=term).count()
        return f"ended {term.ends:%m-%d}, {marks} attendance marks"
    if term.mode == Term.Mode.LOTTERY:
        people = (
            Enrolment.objects.unrestricted().filter(term=term, status="applied").values("retiree").distinct().count()
        )
        return f"lottery, applications until {until}: {people} applicants for {seats} seats"
    taken = sum(Section.objects.unrestricted().filter(term=term).values_list("taken", flat=True))
    return f"first come, open until {until}: {taken} of {seats} seats taken"


def _print_people(write: Callable[[str], None], today: dt.date) -> None:
    school = School.objects.unrestricted().filter(org__code=XIHU_SCHOOL).first()
    if school is None:
        return
    write(f"  campus registrar: xihu (西湖区经办人) runs {school.name}: terms, courses, classes, the lottery draw")
    for term in Term.objects.unrestricted().filter(school=school).order_by("starts"):
        write(f"    {term.name}: {_term_state(term, today)}")
    twenty = students(today)
    if len(twenty) < STUDENTS:
        write(f"  campus: only {len(twenty)} people aged 55–75 with accounts in 西湖区 (seed more with --retirees)")
    if not twenty:
        return
    write(f"  campus students in 西湖区 (password {DEMO_PASSWORD}):")
    offers = {
        e.retiree_id: e
        for e in Enrolment.objects.unrestricted()
        .filter(status=Enrolment.Status.OFFERED, term__school=school)
        .select_related("section__course")
    }
    for r in twenty:
        note = ""
        offer = offers.get(r.pk)
        if offer is not None and offer.offered_until is not None:
            until = timezone.localtime(offer.offered_until).strftime("%m-%d %H:%M")
            note = f" — a seat offered in {offer.section}, to accept by {until}"
        username = r.account.username if r.account else "-"
        write(f"    {username:<10} {r.name} ({r.age_on(today)}, {r.org.name}){note}")

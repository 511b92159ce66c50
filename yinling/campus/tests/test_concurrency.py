"""Real threads against PostgreSQL: many people for few seats, one person for many classes at once, a
withdrawal racing a request for the last seat, an offer's expiry racing its acceptance. After each race the
seats counter equals the seats held, nobody is over the limit or in two classes at once, and nobody waits
for a class with a free seat."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from yinling.campus.models import Enrolment, Section
from yinling.campus.services import enrol, offers
from yinling.campus.tests import factories as f
from yinling.core.refusals import Refused
from yinling.testing.concurrency import run_threads, split_refused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def held(section: Section) -> int:
    return Enrolment.objects.unrestricted().filter(section=section, status__in=("enrolled", "offered")).count()


def hour(n: int) -> tuple[str, str]:
    """A half hour of its own for round n (so a person's classes of earlier rounds never clash)."""
    return f"{8 + n:02d}:00", f"{8 + n:02d}:30"


def assert_consistent(section: Section) -> None:
    section.refresh_from_db()
    assert section.taken == held(section) <= section.capacity
    waiting = Enrolment.objects.unrestricted().filter(section=section, status="waitlisted").exists()
    assert not (waiting and section.taken < section.capacity), "someone waits while a seat is free"


@pytest.mark.parametrize("keeps_waitlist", [True, False])
def test_it_seats_exactly_capacity_of_many_at_once(campus, keeps_waitlist: bool) -> None:  # type: ignore[no-untyped-def]
    section = f.section(campus.term, campus.site, capacity=3, waitlist=keeps_waitlist, slots=((4, "09:00", "10:00"),))
    people = [f.person(campus.cast.tree.unit_a) for _ in range(16)]
    answers: list[enrol.Answer] = []

    def ask(i: int) -> None:
        answers.append(enrol.do_enrol(by=people[i].account, section=section, retiree=people[i]))

    refused, failures = split_refused(run_threads(len(people), ask))
    assert failures == []
    statuses = Counter(a.status for a in answers)
    assert statuses["enrolled"] == 3
    if keeps_waitlist:
        assert (statuses["waitlisted"], refused) == (13, [])
        assert sorted(a.position for a in answers if a.status == "waitlisted") == list(range(1, 14))
    else:
        assert [r.code for r in refused] == ["full"] * 13
    assert_consistent(section)
    rows = Counter(Enrolment.objects.unrestricted().filter(section=section).values_list("status", flat=True))
    assert rows["enrolled"] == 3


def test_it_keeps_one_person_racing_for_many_classes_within_the_limit_and_without_clashes(campus) -> None:  # type: ignore[no-untyped-def]
    # Six classes: two pairs at the same time (Tue 9–11 and 10–12, Wed 9–11 twice) and two apart; limit 2.
    times = [
        (2, "09:00", "11:00"),
        (2, "10:00", "12:00"),
        (3, "09:00", "11:00"),
        (3, "09:00", "11:00"),
        (5, "14:00", "16:00"),
        (6, "14:00", "16:00"),
    ]
    sections = [f.section(campus.term, campus.site, capacity=10, slots=(t,)) for t in times]
    people = [f.person(campus.cast.tree.unit_a) for _ in range(3)]

    def ask(i: int) -> None:
        person = people[i // len(sections)]
        enrol.do_enrol(by=person.account, section=sections[i % len(sections)], retiree=person)

    refused, failures = split_refused(run_threads(len(people) * len(sections), ask))
    assert failures == []
    assert {r.code for r in refused} <= {"limit", "clash"}
    for person in people:
        mine = list(
            Enrolment.objects.unrestricted()
            .filter(retiree=person, status="enrolled")
            .prefetch_related("section__slots")
        )
        assert len(mine) == 2, person  # six asked, two won: the limit, reached
        a, b = (list(e.section.slots.all()) for e in mine)
        assert not any(x.clashes(y) for x in a for y in b)
    for section in sections:
        assert_consistent(section)


def test_it_gives_a_withdrawn_last_seat_to_the_one_asking_at_that_moment(campus) -> None:  # type: ignore[no-untyped-def]
    """A, holding the last seat, withdraws while B asks for it: B ends up with the seat (enrolled, or offered
    from the waitlist), never waiting beside a free seat; the counter matches either way."""
    for round_ in range(6):
        section = f.section(
            campus.term, campus.site, capacity=1, slots=((7, f"{8 + round_:02d}:00", f"{8 + round_:02d}:30"),)
        )
        a, b = f.person(campus.cast.tree.unit_a), f.person(campus.cast.tree.unit_a)
        assert enrol.do_enrol(by=a.account, section=section, retiree=a).status == "enrolled"

        def race(i: int) -> None:
            if i == 0:
                enrol.do_withdraw(by=a.account, section=section, retiree=a)
            else:
                enrol.do_enrol(by=b.account, section=section, retiree=b)

        assert run_threads(2, race) == []
        status = Enrolment.objects.unrestricted().get(section=section, retiree=b).status
        assert status in ("enrolled", "offered"), (round_, status)
        assert_consistent(section)


def test_it_lets_either_the_acceptance_or_the_expiry_win_never_both(campus) -> None:  # type: ignore[no-untyped-def]
    outcomes: Counter[str] = Counter()
    for round_ in range(6):
        section = f.section(
            campus.term, campus.site, capacity=1, slots=((6, f"{8 + round_:02d}:00", f"{8 + round_:02d}:30"),)
        )
        a, b, c = (f.person(campus.cast.tree.unit_a) for _ in range(3))
        enrol.do_enrol(by=a.account, section=section, retiree=a)
        enrol.do_enrol(by=b.account, section=section, retiree=b)  # waitlisted 1
        enrol.do_enrol(by=c.account, section=section, retiree=c)  # waitlisted 2
        enrol.do_withdraw(by=a.account, section=section, retiree=a)  # the seat is offered to b
        offer = Enrolment.objects.unrestricted().get(section=section, retiree=b)
        assert offer.status == "offered"
        # The deadline a moment away: b accepts in time while the cron, its clock at the deadline, expires it.
        deadline = timezone.now() + dt.timedelta(seconds=30)
        Enrolment.objects.unrestricted().filter(pk=offer.pk).update(offered_until=deadline)
        results: dict[str, object] = {}

        def race(i: int) -> None:
            if i == 0:
                try:
                    results["accept"] = offers.do_accept(by=b.account, section=section, retiree=b).status
                except Refused as exc:
                    results["accept"] = exc.code
            else:
                results["expired"] = offers.expire_offers(now=deadline)

        assert run_threads(2, race) == []
        b_status = Enrolment.objects.unrestricted().get(section=section, retiree=b).status
        c_status = Enrolment.objects.unrestricted().get(section=section, retiree=c).status
        if results["accept"] == "enrolled":
            assert (results["expired"], b_status, c_status) == (0, "enrolled", "waitlisted")
        else:
            assert (results["accept"], results["expired"]) == ("no_offer", 1)
            assert (b_status, c_status) == ("expired", "offered")  # the seat went on to the next in line
        outcomes[b_status] += 1
        assert_consistent(section)
    assert sum(outcomes.values()) == 6

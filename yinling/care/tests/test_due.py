"""The due list by risk, under frozen time (Asia/Shanghai dates): weekly, monthly and quarterly visits, the
monthly call, the talk every six months, a visit within 24 hours of an event, milestone birthdays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yinling.care.models import CareEvent, CarePlan
from yinling.care.services import plans, selectors
from yinling.care.tests.factories import person, plan_for, visit_to
from yinling.testing.personas import Cast

SH = ZoneInfo("Asia/Shanghai")
DAY0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(DAY0, tick=False) as traveller:
        yield traveller


def kinds(cast: Cast, *, horizon: int = 0, mine: bool = True) -> list[tuple[str, str, bool]]:
    return [
        (item.plan.retiree.name, item.kind, item.overdue)
        for item in selectors.due_list(cast.clerk, mine=mine, horizon=horizon)
    ]


def at(days: float) -> dt.datetime:
    return DAY0 + dt.timedelta(days=days)


@pytest.mark.parametrize(("risk", "gap"), [("high", 7), ("key", 31), ("normal", 92)])
def test_it_makes_the_next_visit_due_by_the_risk_level(
    cast: Cast, clock: time_machine.Coordinates, risk: str, gap: int
) -> None:
    who = person(cast.tree.unit_a, "周访")
    plan_for(cast.bureau_admin, who, risk, worker=cast.clerk)
    visit_to(cast.clerk, who, "talk")  # the visit, the call and the talk all done today
    assert kinds(cast) == []
    clock.move_to(at(gap - 1))
    assert ("周访", "visit", False) not in kinds(cast)
    assert ("周访", "visit", False) in kinds(cast, horizon=1)
    clock.move_to(at(gap + 1))
    assert ("周访", "visit", True) in kinds(cast)


def test_it_puts_a_monthly_call_between_quarterly_visits(cast: Cast, clock: time_machine.Coordinates) -> None:
    who = person(cast.tree.unit_a, "钱话")
    plan_for(cast.bureau_admin, who, "normal", worker=cast.clerk)
    visit_to(cast.clerk, who, "talk")
    clock.move_to(at(32))
    assert kinds(cast) == [("钱话", "call", True)]
    visit_to(cast.clerk, who, "phone")
    assert kinds(cast) == []
    clock.move_to(at(63))
    assert kinds(cast) == [("钱话", "call", True)]


def test_it_asks_for_a_talk_every_six_months(cast: Cast, clock: time_machine.Coordinates) -> None:
    who = person(cast.tree.unit_a, "孙谈")
    plan_for(cast.bureau_admin, who, "key", worker=cast.clerk)
    visit_to(cast.clerk, who, "talk")
    for month in range(1, 6):
        clock.move_to(at(31 * month - 1))
        visit_to(cast.clerk, who, "home")
    clock.move_to(at(186))
    assert ("孙谈", "talk", True) in kinds(cast)


def test_it_wants_a_high_risk_visit_within_24_hours_of_an_event(cast: Cast, clock: time_machine.Coordinates) -> None:
    who = person(cast.tree.unit_a, "李急")
    plan_for(cast.bureau_admin, who, "high", worker=cast.clerk)
    visit_to(cast.clerk, who, "talk")
    clock.move_to(at(2))
    event = plans.do_record_event(
        by=cast.clerk, retiree=who, kind="hospital", happened_at=at(2) - dt.timedelta(hours=2)
    )
    assert event.visit_due_at == at(3) - dt.timedelta(hours=2)
    assert ("李急", "event", False) in kinds(cast, horizon=1)
    clock.move_to(at(4))
    assert ("李急", "event", True) in kinds(cast)
    visit_to(cast.clerk, who, "hospital")
    assert [k for k in kinds(cast) if k[1] == "event"] == []
    event.refresh_from_db()
    assert event.visited
    assert CarePlan.objects.unrestricted().get(retiree=who).event_due_at is None


def test_it_gives_others_a_week_after_an_event(cast: Cast, clock: time_machine.Coordinates) -> None:
    who = person(cast.tree.unit_a, "吴丧")
    plan_for(cast.bureau_admin, who, "normal", worker=cast.clerk)
    visit_to(cast.clerk, who, "talk")
    event = plans.do_record_event(by=cast.clerk, retiree=who, kind="bereavement", happened_at=at(0))
    assert event.visit_due_at == at(7)
    assert kinds(cast, horizon=6) == []
    assert kinds(cast, horizon=7) == [("吴丧", "event", False)]


def test_a_phone_call_does_not_answer_an_event(cast: Cast, clock: time_machine.Coordinates) -> None:
    who = person(cast.tree.unit_a, "郑院")
    plan_for(cast.bureau_admin, who, "high", worker=cast.clerk)
    plans.do_record_event(by=cast.clerk, retiree=who, kind="hospital", happened_at=at(0))
    visit_to(cast.clerk, who, "phone")
    assert CareEvent.objects.unrestricted().get(retiree=who).visited is False


def test_it_brings_up_the_80th_birthday_and_drops_it_once_visited(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 28, 9, 0, tzinfo=SH), tick=False):
        who = person(cast.tree.unit_a, "冯寿", age=79)  # born 1 January 1947
        plan_for(cast.bureau_admin, who, "normal", worker=cast.clerk)
        visit_to(cast.clerk, who, "talk")
        assert kinds(cast, horizon=7) == [("冯寿", "birthday", False)]
    with time_machine.travel(dt.datetime(2027, 1, 2, 9, 0, tzinfo=SH), tick=False):
        assert kinds(cast) == [("冯寿", "birthday", True)]
        visit_to(cast.clerk, who, "home", occasion="birthday")
        assert kinds(cast, horizon=7) == []
        plan = CarePlan.objects.unrestricted().get(retiree=who)
        assert plan.milestone_done == 80
        assert plan.milestone_on == dt.date(2037, 1, 1)


def test_it_lists_my_people_or_everyone_in_my_area_overdue_first(cast: Cast, clock: time_machine.Coordinates) -> None:
    mine, other = person(cast.tree.unit_a, "甲我的"), person(cast.tree.county_a, "乙别人")
    plan_for(cast.bureau_admin, mine, "high", worker=cast.clerk)
    plan_for(cast.bureau_admin, other, "key")
    visit_to(cast.clerk, mine, "talk")
    visit_to(cast.clerk, other, "talk")
    clock.move_to(at(10))
    assert kinds(cast) == [("甲我的", "visit", True)]
    assert kinds(cast, mine=False, horizon=30) == [("甲我的", "visit", True), ("乙别人", "visit", False)]
    # Outside the clerk's county nothing is listed, whoever is responsible.
    assert selectors.due_list(cast.outsider, mine=False, horizon=60) == []


def test_it_leaves_out_people_no_longer_on_the_register(cast: Cast, clock: time_machine.Coordinates) -> None:
    who = person(cast.tree.unit_a, "褚故")
    plan_for(cast.bureau_admin, who, "high", worker=cast.clerk)
    assert kinds(cast)
    type(who).objects.unrestricted().filter(pk=who.pk).update(status="deceased", deceased_on=DAY0.date())
    assert kinds(cast) == []

"""Real threads against PostgreSQL: two people, one last place; many check-ins at once, each recorded once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yinling.core.refusals import Refused
from yinling.testing.concurrency import run_threads
from yinling.testing.personas import make_tree
from yinling.volunteering import codes
from yinling.volunteering.models import Attendance, Signup
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance as att
from yinling.volunteering.tests.factories_activities import activity, volunteer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def test_it_gives_the_last_place_to_one_of_two() -> None:
    tree = make_tree()
    for _round in range(3):
        act = activity(tree.county_a, capacity=1)
        people = [volunteer(tree.county_a) for _ in range(2)]
        answers: list[str] = []

        def sign(i: int) -> None:
            v = people[i]
            answers.append(svc.do_signup(by=v.retiree.account, activity=act, retiree=v.retiree).status)

        assert run_threads(2, sign) == []
        assert sorted(answers) == ["signed_up", "waitlisted"]
        act.refresh_from_db()
        assert act.signed_up == 1
        assert Signup.objects.unrestricted().filter(activity=act, status="signed_up").count() == 1


def test_it_records_each_of_many_simultaneous_check_ins_once() -> None:
    tree = make_tree()
    act = activity(tree.county_a, start=timezone.now() - dt.timedelta(minutes=5), walk_in=True, capacity=None)
    people = [volunteer(tree.county_a) for _ in range(12)]
    refused: list[str] = []

    def check_in(i: int) -> None:
        v = people[i % 6]  # each person twice, at once
        try:
            att.do_checkin(by=v.retiree.account, activity=act, code=codes.current(act.code_secret)[0])
        except Refused as exc:
            refused.append(exc.code)

    assert run_threads(12, check_in) == []
    assert Attendance.objects.unrestricted().filter(activity=act).count() == 6
    assert refused == ["already_checked_in"] * 6

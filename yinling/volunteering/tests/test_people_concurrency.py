"""Real threads against PostgreSQL: one registration and one live membership per person, whatever the timing."""

from __future__ import annotations

import pytest

from yinling.testing.concurrency import run_threads, split_refused
from yinling.testing.personas import make_personas
from yinling.volunteering.models import Membership, Volunteer
from yinling.volunteering.services import teams, volunteers
from yinling.volunteering.tests.people_factories import account, person, team

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_it_registers_a_person_once_when_the_person_and_staff_post_together() -> None:
    p = make_personas()
    me = person(p.tree.unit_a)
    user = account(me)
    refused, errors = split_refused(
        run_threads(
            4, lambda i: volunteers.do_register_volunteer(by=user if i % 2 else p.owner, retiree=me, skills=["care"])
        )
    )
    assert not errors, errors
    assert Volunteer.objects.filter(retiree=me).count() == 1
    assert [r.code for r in refused] == ["duplicate"] * 3


def test_it_keeps_one_live_request_to_join_under_double_taps() -> None:
    p = make_personas()
    me = person(p.tree.unit_a)
    user = account(me)
    v = Volunteer.objects.create(retiree=me)
    squad = team(p.tree.county_a)
    refused, errors = split_refused(run_threads(4, lambda i: teams.do_request_join(by=user, team=squad, volunteer=v)))
    assert not errors, errors
    assert Membership.objects.filter(team=squad, volunteer=v).count() == 1
    assert [r.code for r in refused] == ["duplicate"] * 3

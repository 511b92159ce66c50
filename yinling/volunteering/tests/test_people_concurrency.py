"""Real threads against PostgreSQL: one registration and one live membership per person, whatever the timing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from yinling.core.refusals import Refused
from yinling.testing.personas import make_personas
from yinling.volunteering.models import Membership, Volunteer
from yinling.volunteering.services import teams, volunteers
from yinling.volunteering.tests.people_factories import account, person, team

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (run with DATABASE_URL=postgres://…)")


def run_threads(n: int, work) -> tuple[list[Refused], list[BaseException]]:  # type: ignore[no-untyped-def]
    refused: list[Refused] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except Refused as exc:
            refused.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return refused, errors


def test_it_registers_a_person_once_when_the_person_and_staff_post_together() -> None:
    p = make_personas()
    me = person(p.tree.unit_a)
    user = account(me)
    refused, errors = run_threads(
        4, lambda i: volunteers.do_register_volunteer(by=user if i % 2 else p.owner, retiree=me, skills=["care"])
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
    refused, errors = run_threads(4, lambda i: teams.do_request_join(by=user, team=squad, volunteer=v))
    assert not errors, errors
    assert Membership.objects.filter(team=squad, volunteer=v).count() == 1
    assert [r.code for r in refused] == ["duplicate"] * 3

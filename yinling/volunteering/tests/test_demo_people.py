"""The people half's demo seeder: a quarter of the registry, every team kind, a year of check-ins, the demo
leader and member; idempotent; nothing to do with an empty registry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yinling.accounts.models import User
from yinling.testing.personas import Personas
from yinling.volunteering import hours
from yinling.volunteering.demo import seed_volunteering
from yinling.volunteering.models import Activity, Attendance, Membership, Story, Target, Team, Volunteer
from yinling.volunteering.tests.people_factories import person

pytestmark = pytest.mark.django_db


def named_account(retiree, username: str) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username=username, password="x", kind=User.Kind.RETIREE, org=retiree.org)
    type(retiree).objects.filter(pk=retiree.pk).update(account=user)


@pytest.fixture
def registry(personas: Personas) -> list:
    t = personas.tree
    people = [person(org) for org in (t.unit_a, t.county_a, t.county_b) for _i in range(8)]
    named_account(people[5], "r00011")
    named_account(people[6], "r00012")
    return people


def test_it_seeds_a_quarter_of_the_registry_with_a_year_of_service(registry: list, personas: Personas) -> None:
    lines: list[str] = []
    seed_volunteering({}, lines.append)
    assert 24 // 4 <= Volunteer.objects.count() <= 24 // 4 + 2  # a quarter, and the two demo accounts
    assert set(Team.objects.values_list("kind", flat=True)) == set(Team.Kind.values)
    assert Team.objects.filter(parent__isnull=False).exists()
    today = timezone.localdate()
    starts = Activity.objects.values_list("start", flat=True)
    assert min(starts).date() >= today - dt.timedelta(days=366) and max(starts) < timezone.now()
    assert Attendance.objects.exists() and Story.objects.exists() and Target.objects.exists()
    for v in Volunteer.objects.all():  # cached totals are what recompute() finds
        before = (v.credited_hours, v.stars)
        assert (hours.recompute(v).credited_hours, v.stars) == before
    leader = Membership.objects.get(
        volunteer__retiree__account__username="r00011", team__org=personas.tree.county_a, team__kind="general"
    )
    assert leader.role == Membership.Role.LEADER and leader.status == Membership.Status.ACTIVE
    assert Membership.objects.filter(
        volunteer__retiree__account__username="r00012", team=leader.team, status="active", role="member"
    ).exists()
    assert any("r00011" in line and "leader" in line for line in lines)
    assert any("r00012" in line and "member" in line for line in lines)
    counts = (Volunteer.objects.count(), Team.objects.count(), Attendance.objects.count())
    seed_volunteering({}, lines.append)  # idempotent
    assert (Volunteer.objects.count(), Team.objects.count(), Attendance.objects.count()) == counts


def test_it_does_nothing_with_an_empty_registry(personas: Personas) -> None:
    lines: list[str] = []
    seed_volunteering({"retirees": 0}, lines.append)
    assert not Volunteer.objects.exists() and not Team.objects.exists() and lines


def test_it_seeds_a_registry_of_one(personas: Personas) -> None:
    person(personas.tree.unit_a)
    seed_volunteering({"retirees": 1}, lambda line: None)
    assert Volunteer.objects.count() == 1 and Team.objects.exists()

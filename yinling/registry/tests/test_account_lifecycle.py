"""A retiree's account follows the record: moves carry it, a death switches it off."""

from __future__ import annotations

import datetime as dt

import pytest

from yinling.accounts.models import User
from yinling.registry import services
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree
from yinling.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(personas: Personas) -> Retiree:
    retiree, _contacts = make_retiree(7, personas.tree.unit_a, "330106")
    retiree.status = "active"
    retiree.deceased_on = None
    retiree.save()
    retiree.account = User.objects.create(username="r000007", kind="retiree", org=retiree.org)
    retiree.save()
    return retiree


def test_it_moves_the_account_with_the_person(personas: Personas, person: Retiree) -> None:
    services.do_transfer(by=personas.owner, retiree=person, to_org=personas.tree.county_b, reason="随子女迁居")
    assert User.objects.get(username="r000007").org == personas.tree.county_b


def test_it_switches_the_account_off_when_a_death_is_recorded(personas: Personas, person: Retiree) -> None:
    services.do_record_death(by=personas.owner, retiree=person, date=dt.date(2026, 1, 5))
    assert User.objects.get(username="r000007").is_active is False

"""The demo time bank: plausible history, every date in the past."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max
from django.utils import timezone

from yinling.accounts import roles
from yinling.testing.personas import Personas, make_user
from yinling.timebank import ledger
from yinling.timebank.demo import seed_timebank
from yinling.timebank.models import Account, Movement, Rule, ServiceRequest, Transfer
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(personas: Personas) -> dt.datetime:
    t = personas.tree
    make_user("zhejiang", t.province, roles.BUREAU_ADMIN)
    for county in (t.county_a, t.county_b):
        for _ in range(4):
            person(county, age=66)
            person(county, age=86)
    seed_timebank({}, lambda line: None)
    return timezone.now()


def test_it_dates_all_demo_records_in_the_past(seeded: dt.datetime) -> None:
    now = seeded
    assert ServiceRequest.objects.filter(status="open").exists()
    latest = [
        ServiceRequest.objects.aggregate(a=Max("created_at"), b=Max("updated_at")).values(),
        Transfer.objects.aggregate(a=Max("created_at")).values(),
        Movement.objects.aggregate(a=Max("created_at")).values(),
        Account.objects.aggregate(a=Max("joined_at")).values(),
    ]
    for values in latest:
        for value in values:
            assert value is not None and value <= now


def test_it_gives_demo_needs_plausible_time_windows(seeded: dt.datetime) -> None:
    now = seeded
    for need in ServiceRequest.objects.select_related("recipient"):
        assert need.starts_at < need.ends_at
        assert need.created_at <= need.updated_at <= now
        assert need.created_at <= need.starts_at  # posted before the service
        assert need.recipient.joined_at <= need.created_at  # by a member
        if need.status in ("open", "accepted"):
            assert need.ends_at > now  # still ahead (an open need past its window would have expired)
        else:
            assert need.starts_at + dt.timedelta(hours=float(need.actual_hours or 0)) <= need.updated_at
    for service in Transfer.objects.filter(kind="service").select_related("request"):
        assert service.request.starts_at <= service.created_at  # paid after the service began


def test_it_leaves_the_rules_and_the_ledger_as_the_services_keep_them(seeded: dt.datetime) -> None:
    assert not Rule.objects.exists()  # the defaults apply; the seeding needs no raised daily cap
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []

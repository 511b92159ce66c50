"""Real threads against PostgreSQL: a double-tapped visit is recorded once, two workers recording one campaign
target keep one visit, and the plan's dates come out as if the visits were recorded one after the other."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yinling.care.models import CampaignTarget, CarePlan, Visit
from yinling.care.services import campaigns, visits
from yinling.care.tests.factories import campaign_at, person
from yinling.testing.concurrency import run_threads, split_refused
from yinling.testing.personas import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_it_records_a_double_tapped_visit_once() -> None:
    cast = make_cast()
    who = person(cast.tree.unit_a)
    today = timezone.localdate()
    refused, errors = split_refused(
        run_threads(
            4,
            lambda i: visits.do_record_visit(
                by=cast.clerk if i % 2 else cast.bureau_admin, retiree=who, kind="home", visited_on=today, visitors="王"
            ),
        )
    )
    assert not errors, errors
    assert Visit.objects.unrestricted().filter(retiree=who).count() == 1
    assert [r.code for r in refused] == ["duplicate"] * 3
    assert CarePlan.objects.unrestricted().filter(retiree=who).count() == 1


def test_it_keeps_one_visit_per_campaign_target_and_both_kinds_on_the_plan() -> None:
    cast = make_cast()
    who = person(cast.tree.unit_a, "甲离休", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().get(campaign=campaign)
    today = timezone.localdate()
    kinds = ["home", "talk", "care_home", "hospital"]
    refused, errors = split_refused(
        run_threads(
            4,
            lambda i: visits.do_record_visit(
                by=cast.clerk, retiree=who, kind=kinds[i], visited_on=today, visitors="王", target=target
            ),
        )
    )
    assert not errors, errors
    assert [r.code for r in refused] == ["duplicate"] * 3
    target.refresh_from_db()
    assert target.visit is not None and Visit.objects.unrestricted().filter(retiree=who).count() == 1
    plan = CarePlan.objects.unrestricted().get(retiree=who)
    assert plan.last_visit_on == today

"""The cockpit panels: overdue visits by org one level down, and campaign progress, inside the viewer's scope."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yinling.care import panels
from yinling.care.models import CampaignTarget, CarePlan
from yinling.care.services import campaigns
from yinling.care.tests.factories import campaign_at, person, plan_for, visit_to
from yinling.testing.personas import Cast


def test_it_counts_overdue_visits_by_org_in_scope(cast: Cast) -> None:
    late = person(cast.tree.unit_a, "迟")
    plan_for(cast.bureau_admin, late, "high")
    CarePlan.objects.unrestricted().filter(retiree=late).update(
        next_visit_on=timezone.localdate() - dt.timedelta(days=3)
    )
    on_time = person(cast.tree.county_a, "准")
    plan_for(cast.bureau_admin, on_time, "normal")
    visit_to(cast.clerk, on_time)
    far = person(cast.tree.county_b, "外")
    plan_for(cast.outsider, far, "high")
    CarePlan.objects.unrestricted().filter(retiree=far).update(
        next_visit_on=timezone.localdate() - dt.timedelta(days=3)
    )
    data = panels.overdue_visits(cast.bureau_admin, cast.tree.city_a)
    assert data.categories == ["西湖区委老干部局"] and data.drill == ["330106"]
    assert [s.values for s in data.series] == [[1], [1]]
    province = panels.overdue_visits(cast.outsider, cast.tree.city_b)
    assert [s.values for s in province.series] == [[1], [0]]


def test_it_shows_campaign_progress(cast: Cast) -> None:
    lixiu = person(cast.tree.unit_a, "甲", age=95, category="lixiu", work_started="1948-05")
    person(cast.tree.county_a, "乙", age=95, category="lixiu", work_started="1948-05")
    campaign = campaign_at(cast.bureau_admin, cast.tree.city_a)
    campaigns.do_build_targets(by=cast.bureau_admin, campaign=campaign)
    visit_to(cast.clerk, lixiu, target=CampaignTarget.objects.unrestricted().get(retiree=lixiu))
    data = panels.campaign_progress(cast.leader, cast.tree.city_a)
    assert data.categories == ["春节慰问"]
    assert [s.values for s in data.series] == [[1], [1]]
    assert panels.campaign_progress(cast.outsider, cast.tree.city_b).categories == []

"""People and care rows for care's tests, and the URL walk's objects."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from yinling.care.models import Campaign, CampaignTarget, CarePlan, Plan1P1C, Visit
from yinling.care.services import campaigns, plans, policies, visits
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.testing.personas import Cast, make_retiree_record

_counter = itertools.count(140_000)


def person(org: Org, name: str = "李关怀", *, age: int = 70, **fields: Any) -> Retiree:
    """A living record at `org`, `age` this year, no special flags unless given."""
    fields.setdefault("special_flags", [])
    fields.setdefault("living", "with_children")
    fields.setdefault("health", "good")
    fields.setdefault("disabled", False)
    fields.setdefault("category", "tuixiu")
    i = next(_counter)
    return make_retiree_record(org, name, f"139{i:08d}"[:11], i, age=age, **fields)


def plan_for(by: Any, retiree: Retiree, risk: str = "normal", worker: Any = None) -> CarePlan:
    return plans.do_set_plan(by=by, retiree=retiree, risk=risk, worker=worker)


def visit_to(by: Any, retiree: Retiree, kind: str = "home", day: dt.date | None = None, **kw: Any) -> Visit:
    return visits.do_record_visit(
        by=by, retiree=retiree, kind=kind, visited_on=day or timezone.localdate(), visitors="王科长", **kw
    )


def campaign_at(by: Any, org: Org, codes: list[str] | None = None, name: str = "春节慰问") -> Campaign:
    today = timezone.localdate()
    return campaigns.do_create_campaign(
        by=by,
        org=org,
        name=name,
        kind="spring",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=25),
        codes=codes or ["lixiu"],
    )


def policy_for(by: Any, retiree: Retiree) -> Plan1P1C:
    return policies.do_write_policy(by=by, retiree=retiree, needs="独居", measures="每月上门", review_months=6)


def walk_objects(cast: Cast) -> dict[str, Any]:
    """One of each care object in county A1 (the clerk's), for the URL walk."""
    by = cast.bureau_admin
    lixiu = person(cast.tree.county_a, "王离休", age=95, category="lixiu", work_started="1948-05")
    plan = plan_for(by, cast.retiree_record, "high", worker=cast.clerk)
    visit = visit_to(by, cast.retiree_record)
    policy = policy_for(by, lixiu)
    campaign = campaign_at(by, cast.tree.city_a)
    campaigns.do_build_targets(by=by, campaign=campaign)
    target = CampaignTarget.objects.unrestricted().filter(campaign=campaign).first()
    return {
        "care_plan": plan,
        "care_visit": visit,
        "care_policy": policy,
        "care_campaign": campaign,
        "care_target": target,
        "care_retiree": lixiu,
    }


__all__ = ["Campaign", "CampaignTarget", "CarePlan", "Plan1P1C", "Visit", "person", "walk_objects"]

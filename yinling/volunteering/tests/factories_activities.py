"""Volunteers, teams and activities for the activities half's tests (Volunteer rows made directly)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.testing.personas import make_retiree_account, make_retiree_record
from yinling.volunteering import codes
from yinling.volunteering.models import Activity, Membership, Team, Volunteer

_counter = itertools.count(700)


def volunteer(org: Org, *, name: str | None = None, account: bool = True, record: Retiree | None = None) -> Volunteer:
    """A registered volunteer at `org` (with a retiree account unless account=False)."""
    if record is None:
        i = next(_counter)
        record = make_retiree_record(org, name or f"志愿者{i}", f"138{i:08d}", i, age=66)
        if account:
            make_retiree_account(record)
    return Volunteer.objects.create(retiree=record)


def team(
    org: Org, name: str = "西湖先锋队", *, leader: Volunteer | None = None, members: tuple[Volunteer, ...] = ()
) -> Team:
    made = Team.objects.create(org=org, name=name)
    if leader is not None:
        Membership.objects.create(team=made, volunteer=leader, role="leader", status="active")
    for m in members:
        Membership.objects.create(team=made, volunteer=m, role="member", status="active")
    return made


def activity(
    org: Org,
    *,
    start: dt.datetime | None = None,
    hours: float = 2,
    capacity: int | None = 10,
    open_to: str = Activity.OpenTo.SCOPE,
    team: Team | None = None,
    **fields: Any,
) -> Activity:
    start = start or timezone.now() + dt.timedelta(days=1)
    return Activity.objects.create(
        org=org,
        team=team,
        title=fields.pop("title", "社区义诊"),
        place=fields.pop("place", "文三路社区"),
        start=start,
        end=start + dt.timedelta(hours=hours),
        capacity=capacity,
        open_to=open_to,
        code_secret=codes.new_secret(),
        **fields,
    )

"""People, volunteers, teams and attendance for the people half's tests."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from decimal import Decimal
from typing import Any

from django.utils import timezone

from yinling.accounts.models import User
from yinling.orgs.models import Org
from yinling.registry import idcard
from yinling.registry.demo import make_retiree
from yinling.registry.models import Retiree
from yinling.testing.personas import PASSWORD
from yinling.volunteering import hours
from yinling.volunteering.models import Activity, Attendance, Membership, Team, Volunteer

_counter = itertools.count(70_000)


def person(org: Org, *, name: str | None = None, age: int = 66, **fields: Any) -> Retiree:
    retiree, _contacts = make_retiree(next(_counter), org, (org.division_id or org.code)[:6])
    today = dt.date.today()
    retiree.birth_date = dt.date(today.year - age, 1, 1)
    retiree.id_number = idcard.make(
        (org.division_id or "330106")[:6], retiree.birth_date, 200 + next(_counter) % 300, retiree.gender
    )
    retiree.status, retiree.deceased_on = "active", None
    if name:
        retiree.name = name
    for key, value in fields.items():
        setattr(retiree, key, value)
    retiree.save()
    return retiree


def account(retiree: Retiree) -> User:
    user = User.objects.create_user(
        username=f"v{retiree.pk:06d}",
        password=PASSWORD,
        kind=User.Kind.RETIREE,
        full_name=retiree.name,
        org=retiree.org,
        elder_mode=True,
    )
    Retiree.objects.filter(pk=retiree.pk).update(account=user)
    retiree.account = user
    return user


def volunteer(
    org: Org, *, name: str | None = None, age: int = 66, skills: str = "", with_account: bool = False, **fields: Any
) -> Volunteer:
    retiree = person(org, name=name, age=age)
    if with_account:
        account(retiree)
    return Volunteer.objects.create(retiree=retiree, skills=skills, **fields)


def team(org: Org, name: str = "银龄志愿服务队", kind: str = Team.Kind.GENERAL, parent: Team | None = None) -> Team:
    return Team.objects.create(org=org, name=name, kind=kind, parent=parent)


def member(t: Team, v: Volunteer, role: str = Membership.Role.MEMBER) -> Membership:
    return Membership.objects.create(team=t, volunteer=v, role=role, status=Membership.Status.ACTIVE)


def served(v: Volunteer, org: Org, start: dt.datetime, length_hours: float, *, review: str = "") -> Attendance:
    """An activity at `org` and the volunteer's whole stay at it; totals recomputed."""
    end = start + dt.timedelta(hours=length_hours)
    activity = Activity.objects.create(
        org=org, title="社区服务", place="社区", start=start, end=end, code_secret=secrets.token_hex(32)
    )
    att = Attendance.objects.create(
        activity=activity,
        volunteer=v,
        checked_in_at=start,
        checked_out_at=end,
        credited_hours=hours.credited(start, end, start, end),
        review=review,
    )
    hours.recompute(v)
    return att


def at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


H = Decimal


def walk_objects(cast: Any) -> dict[str, Any]:
    """One of each people-half object on the personas' tree, for URL walks (keys: what a route's pk names)."""
    from yinling.volunteering.models import Pairing, Target
    from yinling.volunteering.services import recognition, teams, volunteers

    t = cast.tree
    vol = volunteers.active_volunteer_of(cast.retiree_record) or volunteers.do_register_volunteer(
        by=cast.retiree, retiree=cast.retiree_record, skills=["care"]
    )
    squad = teams.do_save_team(by=cast.clerk, team=Team(), org=t.county_a, parent=None, name="五老队", kind="wulao")
    teams.do_add_member(by=cast.clerk, team=squad, volunteer=vol, role=Membership.Role.LEADER)
    family = volunteers.do_register_volunteer(by=cast.family, retiree=cast.family_record)
    return {
        "volunteer": vol,
        "team": squad,
        "membership": teams.do_request_join(by=cast.family, team=squad, volunteer=family),
        "pairing": teams.do_save_pairing(
            by=cast.clerk,
            pairing=Pairing(),
            team=squad,
            volunteer=vol,
            minor_name="王小明",
            village="梅家坞村",
            since=dt.date(2025, 1, 1),
        ),
        "certificate": recognition.do_issue_certificate(by=cast.clerk, volunteer=vol),
        "story": recognition.do_submit_story(by=cast.retiree, title="故事", body="内容"),
        "nomination": recognition.do_nominate(by=cast.clerk, kind="team", year=2026, materials="材料", team=squad),
        "target": Target.objects.create(org=t.county_a, year=2026, volunteers=10),
    }

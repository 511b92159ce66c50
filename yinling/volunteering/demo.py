"""Demo 志愿汇: volunteers (a quarter of the demo registry), teams of every kind across the tree, a year of
past activities with check-ins, a few flags, 五老 pairings, stories, a nomination and this year's targets.

`r00011` leads the 西湖区 team and `r00012` is a member of it when those demo accounts exist (the
registry's demo puts both at 西湖区 stations). Rows are bulk-created (a demo, not a record of real
work: no audit records) and every volunteer's totals and stars come from `hours.recompute()`.
Idempotent: nothing happens once volunteers exist; works for any `--retirees N` from 0.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.volunteering import hours
from yinling.volunteering.models import (
    Activity,
    Attendance,
    Flag,
    Membership,
    Nomination,
    Pairing,
    PairingVisit,
    Signup,
    Skill,
    Story,
    Target,
    Team,
    Volunteer,
)
from yinling.volunteering.services.teams import mask_name

LEADER, MEMBER = "r00011", "r00012"
KIND_NAMES: dict[str, str] = {
    Team.Kind.GENERAL: "银龄志愿服务队",
    Team.Kind.SPECIALIST: "银色人才专业服务队",
    Team.Kind.PARTY: "党员先锋服务队",
    Team.Kind.COMMUNITY: "社区邻里守望队",
    Team.Kind.CULTURE: "夕阳红文艺队",
    Team.Kind.WULAO: "五老关爱结对队",
}
ACTIVITIES = [
    (Activity.Kind.SERVICE, "社区环境整治志愿服务"),
    (Activity.Kind.POLICY, "老党员政策宣讲进社区"),
    (Activity.Kind.MEDIATION, "邻里纠纷调解日"),
    (Activity.Kind.CARE, "走访慰问高龄独居老人"),
    (Activity.Kind.CULTURE, "重阳节文艺汇演"),
    (Activity.Kind.MEDICAL, "义诊与健康讲座"),
    (Activity.Kind.EDUCATION, "青少年红色故事课堂"),
]
STORIES = [
    ("八旬老党员的宣讲路", "退休以后，他把党的政策编成顺口溜，走遍了街道的每一个小区。"),
    ("社区里的“老娘舅”", "张阿姨调解邻里纠纷二十余起，大家都说有事找她最放心。"),
    ("银雁返乡：把城里的经验带回村", "退休后回到家乡，帮助村里建起了议事会和乡贤理事会。"),
    ("结对帮扶的第三个春天", "每周一次视频辅导作业，孩子的成绩从班级后几名进到了前十。"),
    ("夕阳红文艺队的新节目", "队员们自编自演的越剧小戏，在社区巡演了十二场。"),
    ("义诊车开进了山村", "几位退休医生组成的小分队，一年里为三百多位村民做了体检。"),
]
SPECIALITIES = ["书法", "太极拳", "老年病防治", "越剧", "摄影", "家电维修", "法律咨询", "心理疏导", ""]
VILLAGES = ["梅家坞村", "龙坞村", "双浦村", "周浦村", "转塘村"]


def _volunteer_people() -> list[Retiree]:
    """A quarter of the living people on register (every fourth by id), and the two demo accounts."""
    people = list(
        Retiree.objects.unrestricted()
        .filter(is_deleted=False, status="active")
        .select_related("org", "account")
        .order_by("id")
    )
    chosen = [r for i, r in enumerate(people) if i % 4 == 0]
    named = {r.pk for r in chosen}
    for r in people:
        if r.account is not None and r.account.username in (LEADER, MEMBER) and r.pk not in named:
            chosen.append(r)
    return chosen


def _make_volunteers(rng: random.Random, people: list[Retiree], now: dt.datetime) -> list[Volunteer]:
    today = timezone.localdate()
    rows = []
    for r in people:
        skills = rng.sample(list(Skill.values), rng.randint(1, 3))
        insured = rng.random() < 0.6
        talent = rng.random() < 0.08
        rows.append(
            Volunteer(
                retiree=r,
                skills=Volunteer.encode_skills(skills),
                specialities=rng.choice(SPECIALITIES),
                availability=rng.choice(["工作日上午", "周末", "每周二、四", "随时"]),
                service_areas=r.community,
                insurance=Volunteer.Insurance.INSURED if insured else Volunteer.Insurance.NONE,
                insurance_expires=today + dt.timedelta(days=rng.randint(-30, 330)) if insured else None,
                returning_talent=talent,
                home_village=rng.choice(VILLAGES) if talent else "",
            )
        )
    Volunteer.objects.bulk_create(rows, batch_size=1000)
    return list(Volunteer.objects.unrestricted().select_related("retiree__org", "retiree__account").order_by("id"))


def _county_of(org: Org) -> str:
    """The county bureau's path an org lies in (or the org's own path above the counties)."""
    parts = org.path.rstrip("/").split("/")
    return "/".join(parts[:3]) + "/" if len(parts) >= 3 else org.path


def _make_teams(volunteers: list[Volunteer]) -> tuple[dict[int, list[Volunteer]], list[Team]]:
    """A general team in every county with volunteers, another kind in turn beside it; every kind in 西湖区,
    with a sub-team of a station (or unit) under its general team; one province team."""
    by_county: dict[str, list[Volunteer]] = {}
    for v in volunteers:
        by_county.setdefault(_county_of(v.retiree.org), []).append(v)
    counties = {o.path: o for o in Org.objects.unrestricted().filter(path__in=list(by_county))}
    kinds = [k for k in Team.Kind.values if k != Team.Kind.GENERAL]
    members: dict[int, list[Volunteer]] = {}
    teams: list[Team] = []
    for n, (path, people) in enumerate(sorted(by_county.items())):
        county = counties.get(path)
        if county is None:
            continue
        if county.code == "330106":
            wanted = list(Team.Kind.values)
        else:
            wanted = [Team.Kind.GENERAL, kinds[n % len(kinds)]] if len(people) >= 4 else [Team.Kind.GENERAL]
        main = None
        for k, kind in enumerate(wanted):
            team = Team.objects.create(
                org=county,
                name=f"{county.name[:3]}{KIND_NAMES[kind]}",
                kind=kind,
                description=f"{county.name[:3]}退休干部志愿服务。",
            )
            teams.append(team)
            share = people[k :: len(wanted)] if kind != Team.Kind.GENERAL else people
            members[team.pk] = share[:25]
            main = main or team
        below = [v.retiree.org for v in people if v.retiree.org_id != county.pk]
        station = next((o for o in below if o.kind == "station"), below[0] if below else None)
        if county.code == "330106" and station is not None and main is not None:
            sub = Team.objects.create(org=station, parent=main, name=f"{station.name[:7]}志愿小分队")
            teams.append(sub)
            members[sub.pk] = [v for v in people if v.retiree.org_id == station.pk][:12]
    province = Org.objects.unrestricted().filter(parent__isnull=True).first()
    if province is not None and volunteers:
        team = Team.objects.create(org=province, name="银耀之江讲师团", kind=Team.Kind.SPECIALIST)
        teams.append(team)
        members[team.pk] = [v for v in volunteers if "|policy|" in v.skills][:20]
    return members, teams


def _place_demo_people(
    volunteers: list[Volunteer], members: dict[int, list[Volunteer]], teams: list[Team]
) -> Team | None:
    """r00011 first (the leader) and r00012 second in 西湖区's general team."""
    xihu = next((t for t in teams if t.org.code == "330106" and t.kind == Team.Kind.GENERAL), None)
    if xihu is None:
        return None
    named = {getattr(v.retiree.account, "username", ""): v for v in volunteers if v.retiree.account_id}
    people = [v for v in members[xihu.pk] if v not in named.values()]
    front = [named[u] for u in (LEADER, MEMBER) if u in named]
    members[xihu.pk] = front + people
    return xihu if front and getattr(front[0].retiree.account, "username", "") == LEADER else None


def _make_memberships(rng: random.Random, members: dict[int, list[Volunteer]], now: dt.datetime) -> None:
    rows = []
    for team_id, people in members.items():
        for i, v in enumerate(people):
            pending = i > 3 and rng.random() < 0.05
            role = Membership.Role.LEADER if i == 0 else Membership.Role.DEPUTY if i == 2 else Membership.Role.MEMBER
            rows.append(
                Membership(
                    team_id=team_id,
                    volunteer=v,
                    role=role if not pending else Membership.Role.MEMBER,
                    status=Membership.Status.PENDING if pending else Membership.Status.ACTIVE,
                    decided_at=None if pending else now,
                )
            )
    Membership.objects.bulk_create(rows, batch_size=1000)


def _make_activities(
    rng: random.Random, members: dict[int, list[Volunteer]], teams: list[Team], weekly: Team | None
) -> tuple[int, int]:
    """A year of past activities: monthly for every team, weekly for the demo leader's team."""
    today = timezone.localdate()
    activities: list[tuple[Activity, list[Volunteer]]] = []
    for team in teams:
        people = members.get(team.pk, [])
        if not people:
            continue
        step = 7 if weekly is not None and team.pk == weekly.pk else 30
        for days_ago in range(step, 366, step):
            kind, title = rng.choice(ACTIVITIES)
            day = today - dt.timedelta(days=days_ago)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.choice([8, 9, 14]), 0)))
            length = rng.choice([2, 3, 3, 4])
            activity = Activity(
                org=team.org,
                team=team,
                title=title,
                kind=kind,
                place=f"{team.org.name[:3]}社区服务中心",
                start=start,
                end=start + dt.timedelta(hours=length),
                capacity=30,
                open_to=Activity.OpenTo.TEAM,
                code_secret=secrets.token_hex(32),
            )
            core = people[:2] if step == 7 else []
            others = [p for p in people if p not in core]
            came = core + rng.sample(others, min(len(others), rng.randint(2, 8)))
            activities.append((activity, came))
    Activity.objects.bulk_create([a for a, _came in activities], batch_size=1000)
    signups, attendances = [], []
    for activity, came in activities:
        activity.signed_up = len(came)
        for v in came:
            signups.append(Signup(activity=activity, volunteer=v, status=Signup.Status.SIGNED_UP))
            checked_in = activity.start - dt.timedelta(minutes=rng.randint(0, 20))
            checked_out = activity.end + dt.timedelta(minutes=rng.randint(-50, 15))
            attendances.append(
                Attendance(
                    activity=activity,
                    volunteer=v,
                    checked_in_at=checked_in,
                    checked_out_at=checked_out,
                    credited_hours=hours.credited(checked_in, checked_out, activity.start, activity.end),
                )
            )
    Activity.objects.bulk_update([a for a, _came in activities], ["signed_up"], batch_size=1000)
    Signup.objects.bulk_create(signups, batch_size=2000)
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    return len(activities), len(attendances)


def _make_flags(rng: random.Random) -> int:
    """A few forgotten check-outs closed at the activity's end, waiting for the leader."""
    recent = list(Attendance.objects.unrestricted().select_related("activity").order_by("-activity__start", "id")[:40])
    flags = []
    for att in rng.sample(recent, min(4, len(recent))):
        att.checked_out_at, att.auto_closed, att.review = att.activity.end, True, Attendance.Review.PENDING
        att.credited_hours = hours.credited(att.checked_in_at, att.activity.end, att.activity.start, att.activity.end)
        att.save(update_fields=["checked_out_at", "auto_closed", "review", "credited_hours"])
        flags.append(
            Flag(
                kind=Flag.Kind.NO_CHECKOUT,
                volunteer_id=att.volunteer_id,
                activity=att.activity,
                attendance=att,
                detail="未签退，已按活动结束时间关闭",
            )
        )
    Flag.objects.bulk_create(flags)
    return len(flags)


def _make_pairings(rng: random.Random, members: dict[int, list[Volunteer]], teams: list[Team]) -> int:
    today = timezone.localdate()
    made = 0
    for team in teams:
        if team.kind != Team.Kind.WULAO:
            continue
        for v in members.get(team.pk, [])[:3]:
            name = rng.choice(["王小明", "李思雨", "陈浩然", "赵欣怡"])
            since = today - dt.timedelta(days=rng.randint(60, 500))
            pairing = Pairing(
                team=team,
                volunteer=v,
                minor_name=name,
                minor_masked=mask_name(name),
                village=rng.choice(VILLAGES),
                since=since,
            )
            pairing.save()
            PairingVisit.objects.bulk_create(
                [
                    PairingVisit(pairing=pairing, visited_on=since + dt.timedelta(days=30 * k), note="辅导作业、谈心")
                    for k in range(1, 4)
                    if since + dt.timedelta(days=30 * k) <= today
                ]
            )
            made += 1
    return made


def _make_stories_and_targets(volunteers: list[Volunteer], teams: list[Team], now: dt.datetime) -> None:
    from yinling.accounts.models import User

    stories = []
    for i, (title, body) in enumerate(STORIES):
        v = volunteers[i % len(volunteers)]
        published = i % 3 != 2
        stories.append(
            Story(
                org=v.retiree.org,
                author=v.retiree.account,
                volunteer=v,
                title=title,
                body=body,
                status=Story.Status.PUBLISHED if published else Story.Status.SUBMITTED,
                published_at=now - dt.timedelta(days=10 * i) if published else None,
            )
        )
    Story.objects.bulk_create(stories)
    year = timezone.localdate().year
    targets = []
    for org in Org.objects.unrestricted().filter(kind__in=["province_bureau", "city_bureau"]):
        if org.parent_id is None:
            targets.append(
                Target(org=org, year=year, top_teams=10, stories=100, star_volunteers=1000, volunteers=200000)
            )
        else:
            targets.append(Target(org=org, year=year, top_teams=1, stories=9, star_volunteers=90, volunteers=18000))
    Target.objects.bulk_create(targets, ignore_conflicts=True)
    clerk = User.objects.filter(username="xihu").first()
    team = next((t for t in teams if t.org.code == "330106"), None)
    if team is not None:
        Nomination.objects.create(
            kind=Nomination.Kind.TEAM,
            year=year,
            team=team,
            org=team.org,
            at_org=team.org,
            materials="一年开展志愿服务活动五十余次，服务群众三千余人次。",
            created_by=clerk,
        )


def seed_volunteering(options: dict[str, Any], write: Callable[[str], None]) -> None:
    if Volunteer.objects.unrestricted().exists():
        write("volunteering: volunteers already exist; left as they are")
        return
    people = _volunteer_people()
    if not people:
        write("volunteering: no retirees on register; skipped")
        return
    rng = random.Random(2020)  # noqa: S311 - synthetic demo data
    now = timezone.now()
    volunteers = _make_volunteers(rng, people, now)
    members, teams = _make_teams(volunteers)
    leader_team = _place_demo_people(volunteers, members, teams)
    _make_memberships(rng, members, now)
    n_activities, n_attendances = _make_activities(rng, members, teams, leader_team)
    n_flags = _make_flags(rng)
    n_pairings = _make_pairings(rng, members, teams)
    _make_stories_and_targets(volunteers, teams, now)
    for v in Volunteer.objects.unrestricted().filter(attendances__isnull=False).distinct():
        hours.recompute(v)
    stars = Volunteer.objects.unrestricted().filter(stars__gte=1).count()
    write(
        f"volunteering: {len(volunteers)} volunteers ({stars} with stars), {len(teams)} teams, "
        f"{n_activities} activities with {n_attendances} check-ins over a year, {n_flags} flags, "
        f"{n_pairings} pairings, {len(STORIES)} stories"
    )
    if leader_team is not None:
        for username, role in ((LEADER, "leader"), (MEMBER, "member")):
            found = [x for x in members[leader_team.pk] if getattr(x.retiree.account, "username", "") == username]
            if found:
                write(f"  volunteer team {role}: {username} ({found[0].retiree.name}, {leader_team.name})")

"""Demo care work: a plan for everyone on register (default risk from the record, the first county's staff as
responsible workers), a year of visits at each plan's rhythm, a few events (one still waiting for its visit),
一人一策 for every 离休 cadre (some reviews overdue), and a 春节慰问 campaign with half its list visited.

Rows are bulk-created (a demo, not a record of real work: no audit records). Idempotent: nothing happens once
plans exist; works for any `--retirees N` from 0.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from yinling.care import rhythm, rules
from yinling.care.models import (
    Campaign,
    CampaignTarget,
    CareEvent,
    CarePlan,
    EventKind,
    Occasion,
    Plan1P1C,
    Risk,
    Visit,
    VisitKind,
)
from yinling.care.services.campaigns import matching
from yinling.care.services.plans import new_plan
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.models import Retiree

VISITORS = ["王科长、李干事", "社区书记张敏", "局领导陈明、干事刘洋", "网格员赵丽"]
GIVEN = ["慰问金500元", "米、油", "慰问品一份", "鲜花和蛋糕", ""]
NEEDS = ["腿脚不便，希望有人帮忙买菜", "希望了解医疗报销政策", "身体尚好，无特别需求", "希望参加老年大学书法班", ""]
# A demo of care work, not a load test: plans, a year of visits and 一人一策 for at most this many people
# (benchmarks/care_due.py writes plans for a million by SQL).
MAX_PEOPLE = 20_000
MEASURES = "每月电话问候一次；每季度上门走访；协调社区志愿者每周上门帮助购物；重要节日上门慰问。"


def _staff_for(org: Org) -> Any:
    from yinling.accounts.models import User

    paths = [org.path[: i + 1] for i, ch in enumerate(org.path) if ch == "/"]
    return (
        User.objects.unrestricted()
        .filter(org__path__in=paths, is_active=True, assignments__role__in=["clerk", "bureau_admin"])
        .exclude(kind="retiree")
        .order_by("-org__depth", "username")
        .first()
    )


def _visits(plan: CarePlan, start: dt.date, today: dt.date, rng: random.Random, by: Any) -> list[Visit]:
    """A year of visits at the plan's rhythm (some late, a few missed), with a monthly call between."""
    out: list[Visit] = []
    day = start + dt.timedelta(days=rng.randint(0, 20))
    while day <= today - dt.timedelta(days=1):
        kind = rng.choice([VisitKind.HOME, VisitKind.HOME, VisitKind.HOME, VisitKind.TALK, VisitKind.PHONE])
        out.append(
            Visit(
                retiree_id=plan.retiree_id,
                kind=kind,
                occasion=Occasion.ROUTINE,
                visited_on=day,
                visitors=rng.choice(VISITORS),
                given=rng.choice(GIVEN) if kind != VisitKind.PHONE else "",
                needs=rng.choice(NEEDS),
                recorded_by=by,
            )
        )
        if kind in rhythm.IN_PERSON:
            plan.last_visit_on = day
        if kind == VisitKind.PHONE:
            plan.last_call_on = day
        if kind == VisitKind.TALK:
            plan.last_talk_on = day
        gap = {"high": 7, "key": 30, "normal": 90}[str(plan.risk)]
        day += dt.timedelta(days=gap + rng.randint(-3, 6))
    return out


def seed_care(options: dict[str, Any], write: Callable[[str], None]) -> None:
    if CarePlan.objects.unrestricted().exists():
        write("care: already seeded")
        return
    rng = random.Random(14)  # noqa: S311 - demo data, reproducible on purpose
    today = timezone.localdate()
    people = list(
        Retiree.objects.unrestricted()
        .filter(status=choices.Status.ACTIVE, is_deleted=False)
        .select_related("org")
        .order_by("id")[:MAX_PEOPLE]
    )
    if not people:
        write("care: no retirees, nothing seeded")
        return
    workers: dict[int, Any] = {}
    plans: list[CarePlan] = []
    visits: list[Visit] = []
    year_ago = today - dt.timedelta(days=365)
    for person in people:
        if person.org_id not in workers:
            workers[person.org_id] = _staff_for(person.org)
        plan = new_plan(person, year_ago, worker=workers[person.org_id])
        visits += _visits(plan, year_ago, today, rng, workers[person.org_id])
        rhythm.recompute(plan, today, person.birth_date)
        plans.append(plan)
    CarePlan.objects.bulk_create(plans, batch_size=1000)
    Visit.objects.bulk_create(visits, batch_size=1000)
    # Events: a few hospital stays; the newest one is still waiting for its visit.
    high = [p for p in plans if p.risk == Risk.HIGH][:5]
    events = 0
    for i, plan in enumerate(high):
        at = timezone.now() - dt.timedelta(hours=6 if i == 0 else 24 * (20 + i))
        due = at + dt.timedelta(hours=rhythm.event_visit_hours(plan.risk))
        CareEvent.objects.create(
            retiree_id=plan.retiree_id,
            kind=EventKind.HOSPITAL,
            happened_at=at,
            visit_due_at=due,
            visited=i != 0,
            note="住院治疗",
            ended_on=None if i == 0 else timezone.localtime(at).date() + dt.timedelta(days=7),
        )
        if i == 0:
            plan.event_due_at = due
            rhythm.recompute(plan, today, next(p for p in people if p.pk == plan.retiree_id).birth_date)
            plan.save()
        events += 1
    # 一人一策 for every 离休 cadre; a third of the reviews are overdue.
    policies = []
    for n, person in enumerate(p for p in people if p.category == choices.Category.LIXIU):
        last = today - dt.timedelta(days=60 if n % 3 else 220)
        policies.append(
            Plan1P1C(
                retiree=person,
                needs=rng.choice(NEEDS) or "高龄独居，需要日常照料",
                measures=MEASURES,
                responsible=workers.get(person.org_id),
                review_months=6,
                last_reviewed_on=last,
                next_review_on=rhythm.add_months(last, 6),
            )
        )
    Plan1P1C.objects.bulk_create(policies, batch_size=1000)
    # 春节慰问 at the province: the list by rules, half visited.
    root = Org.objects.unrestricted().filter(parent__isnull=True).order_by("code").first()
    done = total = 0
    if root is not None:
        spring = dt.date(today.year, 1, 15) if today.month <= 2 else dt.date(today.year + 1, 1, 15)
        starts = min(spring - dt.timedelta(days=20), today - dt.timedelta(days=5))
        campaign = Campaign.objects.create(
            org=root,
            name=f"{starts.year}年春节慰问",
            kind=Campaign.Kind.SPRING,
            starts_on=starts,
            ends_on=spring + dt.timedelta(days=30),
            rules=[r.code for r in rules.RULES if r.code != "milestone"],
            built_at=timezone.now(),
        )
        sample = {p.pk for p in people}
        found = [(pk, v) for pk, v in sorted(matching(campaign).items()) if pk in sample]
        targets = [
            CampaignTarget(
                campaign=campaign,
                retiree_id=pk,
                org_id=org_id,
                reasons=f"|{'|'.join(codes)}|",
                worker=workers.get(org_id),
            )
            for pk, (org_id, codes) in found
        ]
        CampaignTarget.objects.bulk_create(targets, batch_size=1000)
        total = len(targets)
        half = list(CampaignTarget.objects.unrestricted().filter(campaign=campaign).order_by("id")[: total // 2])
        festival = Visit.objects.bulk_create(
            [
                Visit(
                    retiree_id=target.retiree_id,
                    kind=VisitKind.HOME,
                    occasion=Occasion.FESTIVAL,
                    visited_on=max(starts, today - dt.timedelta(days=rng.randint(1, 4))),
                    visitors=rng.choice(VISITORS),
                    given="慰问金800元、年货一份",
                    needs=rng.choice(NEEDS),
                    recorded_by_id=target.worker_id,
                )
                for target in half
            ],
            batch_size=1000,
        )
        for target, visit in zip(half, festival, strict=True):
            target.visit, target.done_on = visit, visit.visited_on
        CampaignTarget.objects.bulk_update(half, ["visit", "done_on"], batch_size=1000)
        done = len(half)
    overdue = sum(1 for p in plans if p.next_visit_on < today)
    write(
        f"care: {len(plans)} visit plans ({overdue} visits overdue), {len(visits) + done} visits, {events} events, "
        f"{len(policies)} 一人一策, 春节慰问 {done}/{total} visited"
    )

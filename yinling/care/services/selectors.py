"""Read-only queries the pages, the API and the cockpit share: a worker's due list, a campaign's progress by
org, the overdue counts by org, the staff who may be responsible, a retiree's own visits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.care import rhythm
from yinling.care.models import CampaignTarget, CarePlan, Risk, Visit
from yinling.core.scoping import path_q, user_paths
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.models import Retiree


@dataclass(frozen=True)
class DueItem:
    plan: CarePlan
    kind: str  # visit, call, talk, event, birthday
    due_on: dt.date
    overdue: bool

    @property
    def label(self) -> str:
        labels = {
            "visit": _("Visit"),
            "call": _("Phone call"),
            "talk": _("Heart-to-heart talk"),
            "event": _("Visit within 24 hours of an event")
            if self.plan.risk == Risk.HIGH
            else _("Visit after an event"),
            "birthday": _("Milestone birthday visit"),
        }
        return str(labels[self.kind])

    @property
    def days_late(self) -> int:
        return max(0, (timezone.localdate() - self.due_on).days)


def items_of(plan: CarePlan, today: dt.date, until: dt.date) -> list[DueItem]:
    """What one plan has due up to `until` (a milestone birthday only until its grace period ends)."""
    found: list[tuple[str, dt.date]] = [
        ("visit", plan.next_visit_on),
        ("call", plan.next_call_on),
        ("talk", plan.next_talk_on),
    ]
    if plan.event_due_at is not None:
        found.append(("event", timezone.localtime(plan.event_due_at).date()))
    if plan.milestone_on is not None and plan.milestone_on + dt.timedelta(days=rhythm.MILESTONE_GRACE_DAYS) >= today:
        found.append(("birthday", plan.milestone_on))
    # A visit due on the same day as the call covers it (an in-person visit is the month's contact too).
    if plan.next_call_on >= plan.next_visit_on and plan.next_visit_on <= until:
        found = [f for f in found if f[0] != "call" or f[1] > until]
    return [DueItem(plan, kind, day, day < today) for kind, day in found if day <= until]


def due_plans(user: Any, *, mine: bool, today: dt.date, until: dt.date) -> QuerySet[CarePlan]:
    """The plans with anything due by `until`, in the user's scope (and theirs, when `mine`): one index range
    on (worker, next_due_on), or next_due_on inside the scope."""
    qs = CarePlan.objects.restrict(user, "view").filter(next_due_on__lte=until)
    if mine:
        qs = qs.filter(worker=user)
    return qs.filter(retiree__status=choices.Status.ACTIVE, retiree__is_deleted=False)


DUE_FIELDS = (
    "risk",
    "next_visit_on",
    "next_call_on",
    "next_talk_on",
    "event_due_at",
    "milestone_on",
    "next_due_on",
    "retiree__name",
    "retiree__birth_date",
    "org__name",
    "org__code",
    "worker__username",
    "worker__full_name",
)


def due_list(
    user: Any, *, mine: bool = True, today: dt.date | None = None, limit: int = 100, horizon: int | None = None
) -> list[DueItem]:
    """The caller's due list, overdue first (oldest first), then what comes up within the horizon.

    Two steps, so that PostgreSQL walks an index in due order and stops after `limit` rows: the ids first (for
    `mine` on (worker, next_due_on), otherwise on next_due_on inside the scope), then those rows with the
    person, in the user's scope and on register. Joining the registry in the first step made the planner join
    every due plan (9,000 a worker at a million people) before sorting: 180 ms instead of a few."""
    today = today or timezone.localdate()
    days = settings.CARE_DUE_HORIZON_DAYS if horizon is None else horizon
    until = today + dt.timedelta(days=days)
    if mine:
        # The plans that name the user as responsible: the user's own list. The scope applies in the second step.
        first = CarePlan.objects.unrestricted().filter(worker_id=getattr(user, "pk", None))
    else:
        # The scope as a set of org ids: PostgreSQL then walks next_due_on in order and checks each org in a
        # hash, instead of joining the org tree for every due plan (the same rows restrict() gives).
        # A literal list lets the planner choose by the scope's size: the (org, next_due_on) index for a county,
        # next_due_on in order for a province.
        paths = user_paths(user, "care.view_careplan")
        orgs = (
            list(Org.objects.unrestricted().filter(path_q("path", paths)).values_list("id", flat=True)) if paths else []
        )
        first = CarePlan.objects.unrestricted().filter(org_id__in=orgs)
    # Twice the limit: a plan left out below (a person who died, moved out of the scope) leaves room for others.
    ids = list(
        first.filter(next_due_on__lte=until).order_by("next_due_on", "id").values_list("id", flat=True)[: 2 * limit]
    )
    plans = (
        due_plans(user, mine=mine, today=today, until=until)
        .filter(pk__in=ids)
        .select_related("retiree", "org", "worker")
        # Only what the list shows: a whole registry row (its encrypted fields decrypted) cost 0.1 ms a plan.
        .only(*DUE_FIELDS)
        .order_by("next_due_on", "id")[:limit]
    )
    items = [item for plan in plans for item in items_of(plan, today, until)]
    return sorted(items, key=lambda i: (not i.overdue, i.due_on, i.plan.pk, i.kind))


def my_campaign_visits(user: Any, limit: int = 50) -> list[CampaignTarget]:
    """Open campaigns' targets assigned to the user and not yet visited, the campaign ending first first."""
    from yinling.care.models import Campaign

    return list(
        CampaignTarget.objects.restrict(user, "view")
        .filter(worker_id=getattr(user, "pk", None), done_on__isnull=True, campaign__status=Campaign.Status.OPEN)
        .select_related("campaign", "retiree", "org")
        .only("campaign__name", "campaign__ends_on", "retiree__name", "org__name", "reasons", "retiree_id")
        .order_by("campaign__ends_on", "id")[:limit]
    )


def is_worker(user: Any) -> bool:
    """Whether the user is anyone's responsible worker (their due list defaults to "mine")."""
    return (
        bool(user_paths(user, "care.view_careplan"))
        and CarePlan.objects.restrict(user, "view").filter(worker=user).exists()
    )


def overdue_by_org(user: Any, org: Org, today: dt.date | None = None) -> list[tuple[Org | None, int, int]]:
    """(child org or None for the org itself, plans, overdue visits) one level down: one GROUP BY org."""
    today = today or timezone.localdate()
    grouped = (
        CarePlan.objects.restrict(user, "view")
        .filter(org__path__under=org.path)
        .values("org_id")
        .annotate(plans=Count("id"), overdue=Count("id", filter=Q(next_visit_on__lt=today)))
    )
    return _by_child(user, org, {row["org_id"]: (row["plans"], row["overdue"]) for row in grouped})


def campaign_progress(user: Any, campaign: Any, org: Org) -> list[tuple[Org | None, int, int]]:
    """(child org, targets, done) of one campaign under `org`, one level down."""
    grouped = (
        CampaignTarget.objects.restrict(user, "view")
        .filter(campaign=campaign, org__path__under=org.path)
        .values("org_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
    )
    return _by_child(user, org, {row["org_id"]: (row["total"], row["done"]) for row in grouped})


def _by_child(user: Any, org: Org, counts: dict[int, tuple[int, int]]) -> list[tuple[Org | None, int, int]]:
    children = list(Org.objects.restrict(user, None).filter(parent=org).order_by("code"))
    totals: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    if counts:
        paths = dict(Org.objects.unrestricted().filter(pk__in=list(counts)).values_list("pk", "path"))
        by_prefix = {child.path: child.pk for child in children}
        for org_id, (a, b) in counts.items():
            rest = paths.get(org_id, "")[len(org.path) :]
            key = by_prefix.get(org.path + rest.split("/", 1)[0] + "/") if rest else None
            totals[key][0] += a
            totals[key][1] += b
    rows: list[tuple[Org | None, int, int]] = []
    if None in totals:
        rows.append((None, totals[None][0], totals[None][1]))
    rows += [(child, totals[child.pk][0], totals[child.pk][1]) for child in children if child.pk in totals]
    return rows


def worker_choices(user: Any, org: Org | None = None) -> QuerySet[Any]:
    """Active staff accounts whose home org lies in the user's care scope (read on that authority): the
    choices for a responsible worker. The service checks the one chosen may record visits there."""
    from django.contrib.auth import get_user_model

    from yinling.core.scoping import path_q

    paths = user_paths(user, "care.change_careplan") or user_paths(user, "care.change_campaigntarget")
    model = get_user_model()
    if not paths:
        return model.objects.none()  # type: ignore[no-any-return]
    qs = model.objects.unrestricted().filter(path_q("org__path", paths), is_active=True).exclude(kind="retiree")
    if org is not None:
        ancestors = [org.path[: i + 1] for i, ch in enumerate(org.path) if ch == "/"]
        qs = qs.filter(org__path__in=ancestors) | qs.filter(org__path__under=org.path)
    return qs.order_by("username")  # type: ignore[no-any-return]


def visits_to(retiree: Retiree) -> QuerySet[Visit]:
    """A retiree's own visits, newest first (their member page; read on the retiree's authority)."""
    return Visit.objects.unrestricted().filter(retiree=retiree).order_by("-visited_on", "-id")


def contact_of(retiree: Retiree) -> Any:
    """The retiree's responsible worker, or None (their member page shows the name and org)."""
    plan = CarePlan.objects.unrestricted().select_related("worker__org").filter(retiree=retiree).first()
    return plan.worker if plan is not None else None

"""Visit plans and care events: setting a plan (risk, responsible worker), opening default plans for an org's
people, and recording an event (a hospital stay, a bereavement) that makes a visit due within 24 hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import bulk_record, record, record_values
from yinling.care import policy, rhythm
from yinling.care.models import CareEvent, CarePlan
from yinling.care.services import explicit
from yinling.core.refusals import Refused
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.models import Retiree


def check_on_register(retiree: Retiree) -> None:
    if retiree.is_deleted or retiree.status != choices.Status.ACTIVE:
        raise Refused("not_eligible", _("Care work is for people on the register."))


def new_plan(retiree: Retiree, today: dt.date, *, risk: str | None = None, worker: Any = None) -> CarePlan:
    """An unsaved plan with the record's default risk, everything due from today."""
    default, reasons = rhythm.default_risk(retiree, today)
    plan = CarePlan(
        retiree=retiree,
        org_id=retiree.org_id,
        risk=risk or default,
        risk_reasons="、".join(reasons)[:200],
        worker=worker,
        started_on=today,
    )
    rhythm.recompute(plan, today, retiree.birth_date)
    return plan


def locked_plan(retiree: Retiree, today: dt.date) -> tuple[CarePlan, bool]:
    """The retiree's plan locked for update, created with the defaults when there is none (created?)."""
    plan = CarePlan.objects.unrestricted().select_for_update().filter(retiree=retiree).first()
    if plan is not None:
        return plan, False
    plan = new_plan(retiree, today)
    plan.save()
    record(AuditRecord.Action.CREATE, plan, extra={"event": "care_plan_opened", "retiree": retiree.pk})
    return plan, True


@explicit
@transaction.atomic
def do_set_plan(*, by: Any, retiree: Retiree, risk: str, worker: Any = None, version: int | None = None) -> CarePlan:
    """Set a retiree's risk level and responsible worker. Refused: `not_eligible` (not on register, or a worker
    who may not record visits there), `stale` (someone saved the plan since `version` was read)."""
    policy.check_set_plan(by, retiree)
    locked = Retiree.objects.unrestricted().select_for_update().get(pk=retiree.pk)
    check_on_register(locked)
    if worker is not None and not policy.may_be_worker(worker, locked.org):
        raise Refused("not_eligible", _("The responsible worker must be staff who may record visits for this person."))
    today = timezone.localdate()
    plan, created = locked_plan(locked, today)
    if not created and version is not None and version != plan.version:
        raise Refused("stale", _("Someone changed this plan since you opened it. Open it again."))
    before = {"risk": plan.risk, "worker": plan.worker_id}
    plan.risk = risk
    plan.worker = worker
    plan.version += 0 if created else 1
    rhythm.recompute(plan, today, locked.birth_date)
    plan.save()
    changes = {k: [before[k], v] for k, v in (("risk", plan.risk), ("worker", plan.worker_id)) if before[k] != v}
    record(
        AuditRecord.Action.UPDATE,
        plan,
        changes=changes,
        extra={"event": "care_plan_set", "retiree": locked.pk},
    )
    return plan


@explicit
@transaction.atomic
def do_open_default_plans(*, by: Any, org: Org, limit: int = 20000) -> int:
    """Open a plan with the record's default risk for every person on register in `org`'s subtree who has none
    (at most `limit` a run: the page says to run it again). One audit record per plan."""
    policy.check_set_plan_at(by, org)
    today = timezone.localdate()
    people = (
        Retiree.objects.restrict(by, perm="care.change_careplan")
        .filter(org__path__under=org.path, status=choices.Status.ACTIVE, care_plan__isnull=True)
        .order_by("id")[:limit]
    )
    plans = [new_plan(person, today) for person in people]
    CarePlan.objects.bulk_create(plans, batch_size=1000)
    bulk_record(
        [
            record_values(
                AuditRecord.Action.CREATE, plan, extra={"event": "care_plan_opened", "retiree": plan.retiree_id}
            )
            for plan in plans
        ]
    )
    return len(plans)


@explicit
@transaction.atomic
def do_record_event(
    *, by: Any, retiree: Retiree, kind: str, happened_at: dt.datetime, note: str = "", ended_on: dt.date | None = None
) -> CareEvent:
    """Record an event; a visit becomes due within 24 hours for a high-risk person (a week for others)."""
    policy.check_record_event(by, retiree)
    locked = Retiree.objects.unrestricted().select_for_update().get(pk=retiree.pk)
    check_on_register(locked)
    now = timezone.now()
    if happened_at > now + dt.timedelta(minutes=5):
        raise Refused("invalid", _("An event cannot be in the future."))
    if ended_on is not None and ended_on < timezone.localtime(happened_at).date():
        raise Refused("invalid", _("The end date is before the event."))
    today = timezone.localdate()
    plan, _created = locked_plan(locked, today)
    due = happened_at + dt.timedelta(hours=rhythm.event_visit_hours(plan.risk))
    event = CareEvent.objects.create(
        retiree=locked,
        kind=kind,
        happened_at=happened_at,
        ended_on=ended_on,
        note=note.strip()[:300],
        visit_due_at=due,
        recorded_by=by if getattr(by, "pk", None) else None,
    )
    if plan.event_due_at is None or due < plan.event_due_at:
        plan.event_due_at = due
    rhythm.recompute(plan, today, locked.birth_date)
    plan.save()
    record(AuditRecord.Action.CREATE, event, extra={"event": "care_event", "retiree": locked.pk, "kind": kind})
    return event

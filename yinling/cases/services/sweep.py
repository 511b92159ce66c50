"""The periodic sweep (`run_periodic sweep_cases`, daily): cases near their time limit are flagged for the
step's owners once per step; cases past it are escalated one level up the tree (recorded in the history,
audited, both the new owners and the applicant told). Each case is locked and checked again in its own
transaction, so a decision taken meanwhile wins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.cases import notices, policy, workdays
from yinling.cases.models import Case, CaseEvent
from yinling.orgs.models import Org

NEAR_DAYS = 1  # flagged when this many working days or fewer are left


@dataclass
class SweepResult:
    flagged: int = 0
    escalated: int = 0


def near_limit(case: Case, day: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> bool:
    return (
        case.due_on is not None
        and day <= case.due_on
        and workdays.workdays_between(day, case.due_on, overrides) <= NEAR_DAYS
    )


def sweep(day: dt.date | None = None) -> SweepResult:
    day = day or timezone.localdate()
    result = SweepResult()
    waiting = Case.objects.unrestricted().filter(status=Case.Status.IN_PROGRESS, due_on__isnull=False)
    overdue = list(waiting.filter(due_on__lt=day, escalated=False).values_list("pk", flat=True))
    near = list(waiting.filter(due_on__gte=day, flagged_on__isnull=True).values_list("pk", flat=True))
    for pk in overdue:
        result.escalated += _escalate(pk, day)
    for pk in near:
        result.flagged += _flag(pk, day)
    return result


@transaction.atomic
def _escalate(pk: int, day: dt.date) -> int:
    case = (
        Case.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("item", "item_version", "step_org")
        .get(pk=pk)
    )
    if case.status != Case.Status.IN_PROGRESS or case.escalated or not case.due_on or case.due_on >= day:
        return 0
    parent = Org.objects.unrestricted().filter(pk=case.step_org.parent_id).first() if case.step_org else None
    before = case.step_org
    if parent is not None:
        case.step_org = parent
    case.escalated = True
    case.version += 1
    case.save(update_fields=["step_org", "escalated", "version"])
    CaseEvent.objects.create(
        case=case,
        step=case.step,
        step_name=case.step_name,
        action=CaseEvent.Action.ESCALATE,
        comment=f"{before.name if before else ''} → {case.step_org.name if case.step_org else ''}",
    )
    record(
        AuditRecord.Action.UPDATE,
        case,
        changes={"step_org": [before.code if before else None, case.step_org.code if case.step_org else None]},
        extra={"event": "case_escalated"},
    )
    notices.to_step_owners(case, policy.step_holders(case), "escalate")
    notices.to_applicant(case, "escalate")
    return 1


@transaction.atomic
def _flag(pk: int, day: dt.date) -> int:
    case = Case.objects.unrestricted().select_for_update(of=("self",)).select_related("item", "item_version").get(pk=pk)
    if case.status != Case.Status.IN_PROGRESS or case.flagged_on or not near_limit(case, day):
        return 0
    case.flagged_on = day
    case.save(update_fields=["flagged_on"])
    notices.to_step_owners(case, policy.step_holders(case), "near")
    return 1

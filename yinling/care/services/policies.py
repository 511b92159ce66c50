"""一人一策: writing a 离休 cadre's plan (needs, measures, the responsible person, the review rhythm) and
reviewing it. Both carry the version that was read: a second editor's save is refused as `stale`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.care import policy, rhythm
from yinling.care.models import Plan1P1C, PolicyReview
from yinling.care.services import explicit
from yinling.care.services.plans import check_on_register
from yinling.core.refusals import Refused
from yinling.registry import choices
from yinling.registry.models import Retiree


def _clean(needs: str, measures: str, review_months: int) -> tuple[str, str]:
    needs, measures = str(needs or "").strip(), str(measures or "").strip()
    if not needs:
        raise Refused("invalid", _("Write down the person's needs."))
    if not measures:
        raise Refused("invalid", _("Write down the measures."))
    if not 1 <= int(review_months) <= 12:
        raise Refused("invalid", _("Review the plan every 1 to 12 months."))
    return needs[:2000], measures[:2000]


@explicit
@transaction.atomic
def do_write_policy(
    *,
    by: Any,
    retiree: Retiree,
    needs: str,
    measures: str,
    responsible: Any = None,
    review_months: int = 6,
    version: int | None = None,
) -> Plan1P1C:
    """Create or update the person's 一人一策. Refused: `not_eligible` (not a 离休 cadre on register, or a
    responsible person who may not record visits there), `stale` (changed since `version`)."""
    policy.check_write_policy(by, retiree)
    locked = Retiree.objects.unrestricted().select_for_update().get(pk=retiree.pk)
    check_on_register(locked)
    if locked.category != choices.Category.LIXIU:
        raise Refused("not_eligible", _("一人一策 plans are for 离休 cadres."))
    if responsible is not None and not policy.may_be_worker(responsible, locked.org):
        raise Refused("not_eligible", _("The responsible person must be staff who may record visits for this person."))
    needs, measures = _clean(needs, measures, review_months)
    today = timezone.localdate()
    plan = Plan1P1C.objects.unrestricted().select_for_update().filter(retiree=locked).first()
    if plan is None:
        plan = Plan1P1C.objects.create(
            retiree=locked,
            needs=needs,
            measures=measures,
            responsible=responsible,
            review_months=review_months,
            next_review_on=rhythm.add_months(today, review_months),
        )
        record(AuditRecord.Action.CREATE, plan, extra={"event": "care_policy_written", "retiree": locked.pk})
        return plan
    if version is not None and version != plan.version:
        raise Refused("stale", _("Someone changed this plan since you opened it. Open it again."))
    before = {"needs": plan.needs, "measures": plan.measures, "responsible": plan.responsible_id}
    before["review_months"] = plan.review_months
    plan.needs, plan.measures, plan.responsible, plan.review_months = needs, measures, responsible, review_months
    plan.next_review_on = rhythm.add_months(plan.last_reviewed_on or plan.created_at.date(), review_months)
    plan.version += 1
    plan.save()
    after = {"needs": plan.needs, "measures": plan.measures, "responsible": plan.responsible_id}
    after["review_months"] = plan.review_months
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(
        AuditRecord.Action.UPDATE, plan, changes=changes, extra={"event": "care_policy_written", "retiree": locked.pk}
    )
    return plan


@explicit
@transaction.atomic
def do_review_policy(
    *, by: Any, plan: Plan1P1C, notes: str, reviewed_on: dt.date | None = None, version: int | None = None
) -> PolicyReview:
    """Record a review; the next one is due `review_months` later. Refused `stale`, `invalid`."""
    policy.check_review_policy(by, plan)
    locked = Plan1P1C.objects.unrestricted().select_for_update().select_related("retiree").get(pk=plan.pk)
    if version is not None and version != locked.version:
        raise Refused("stale", _("Someone changed this plan since you opened it. Open it again."))
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise Refused("invalid", _("The review date cannot be in the future."))
    notes = str(notes or "").strip()
    if not notes:
        raise Refused("invalid", _("Write what the review found."))
    review = PolicyReview.objects.create(
        plan=locked, reviewed_on=reviewed_on, notes=notes[:2000], by=by if getattr(by, "pk", None) else None
    )
    locked.last_reviewed_on = max(d for d in (locked.last_reviewed_on, reviewed_on) if d is not None)
    locked.next_review_on = rhythm.add_months(locked.last_reviewed_on, locked.review_months)
    locked.version += 1
    locked.save()
    record(
        AuditRecord.Action.UPDATE,
        locked,
        changes={"next_review_on": [str(plan.next_review_on), str(locked.next_review_on)]},
        extra={"event": "care_policy_reviewed", "retiree": locked.retiree_id},
    )
    return review

"""Care on a retiree's record (core/related.py): the risk level and the next visit, linked to the person's care
page, for staff who may see care plans there."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from yinling.care.models import CarePlan
from yinling.core.related import Summary


def care_summary(user: Any, retiree: Any) -> Summary | None:
    plan = (
        CarePlan.objects.restrict(user, "view")
        .filter(retiree_id=retiree.pk)
        .only("pk", "risk", "next_visit_on", "retiree_id")
        .first()
    )
    if plan is None:
        return None
    text = _("%(risk)s · next visit %(day)s") % {"risk": plan.get_risk_display(), "day": plan.next_visit_on.isoformat()}
    return Summary(text, reverse("care:person", args=[retiree.pk]))

"""Who may do what to service items and cases (pure reads, no writes).

- Items: defined by holders of cases.add_serviceitem at the org (bureau admins); edited with change there.
  An item defined at an org is offered to everyone managed in its subtree.
- Filing: the retiree, a relative recorded in the registry (registry.acting), or staff holding
  cases.add_case at the retiree's org (代办, recorded as on their behalf).
- Deciding: the holders of the current step's role at the step's org (`Case.step_org`: the org at the
  step's level above the applicant, one level higher once escalated), who must also see the case.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.accounts.models import RoleAssignment, User
from yinling.accounts.roles import BUREAU_ADMIN
from yinling.cases.models import Case, ServiceItem
from yinling.orgs.models import Org
from yinling.registry.models import Retiree


def offered_items(retiree: Retiree) -> QuerySet[ServiceItem]:
    """Active items defined at the retiree's org or above it (read on the retiree's own authority)."""
    codes = [*retiree.org.ancestors_codes, retiree.org.code]
    return (
        ServiceItem.objects.unrestricted()
        .filter(is_active=True, org__code__in=codes, current__isnull=False)
        .select_related("current", "org")
        .order_by("name")
    )


def ineligible_reason(retiree: Retiree, definition: dict[str, Any]) -> str:
    """Why the retiree may not apply ("" when they may)."""
    elig = definition.get("eligibility") or {}
    categories = elig.get("categories") or []
    if categories and retiree.category not in categories:
        return _("This service is only for %(who)s cadres.") % {
            "who": "、".join({"lixiu": "离休", "tuixiu": "退休"}.get(c, c) for c in categories)
        }
    min_age = int(elig.get("min_age") or 0)
    if min_age and retiree.age_on(timezone.localdate()) < min_age:
        return _("This service is for people aged %(n)s and over.") % {"n": min_age}
    libraries = elig.get("libraries") or []
    if libraries and not any(in_library(retiree, key) for key in libraries):
        return _("This service is for people on a list you are not on (for example the hardship list).")
    if retiree.status != "active" or retiree.is_deleted:
        return _("Only people on register can apply.")
    return ""


def in_library(retiree: Retiree, key: str) -> bool:
    """Whether the retiree matches a built-in thematic library's filters (the registry's own filter set)."""
    from django.http import QueryDict

    from yinling.registry.filters import RetireeFilterSet
    from yinling.registry.libraries import BUILTIN

    found = next((b for b in BUILTIN if b.key == key), None)
    if found is None:
        return False
    data = QueryDict(mutable=True)
    data.update(found.filters)
    fs = RetireeFilterSet(data=data, queryset=Retiree.objects.unrestricted().filter(pk=retiree.pk))
    return fs.is_valid() and fs.qs.exists()


def may_define(user: Any, org: Org) -> bool:
    from yinling.core.scoping import can_at

    return can_at(user, ServiceItem, "add", org)


def holders_q(case: Case) -> QuerySet[RoleAssignment]:
    step = case.current_step
    if step is None or case.step_org_id is None:
        return RoleAssignment.objects.none()
    # Read on the case's authority: who holds the step's role at its org (no user's scope involved).
    # Once escalated, the bureau admins of the org above take it too (a city may hold no clerk).
    roles_ = {step["role"], *([BUREAU_ADMIN] if case.escalated else [])}
    return RoleAssignment.objects.unrestricted().filter(
        role__in=roles_, org_id=case.step_org_id, org__is_active=True, user__is_active=True
    )


def may_decide(user: Any, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False) or case.status != Case.Status.IN_PROGRESS:
        return False
    return holders_q(case).filter(user=user).exists()


def step_holders(case: Case) -> list[User]:
    ids = holders_q(case).values_list("user_id", flat=True)
    return list(User.objects.unrestricted().filter(pk__in=list(ids)))


def waiting_on(user: Any) -> QuerySet[Case]:
    """Cases in progress whose current step's role the user holds at the step's org, within their scope."""
    held = RoleAssignment.objects.unrestricted().filter(user=user, org__is_active=True)
    pairs = list(held.values_list("role", "org_id"))
    if not pairs:
        return Case.objects.none()
    base = Case.objects.restrict(user, "view").filter(status=Case.Status.IN_PROGRESS)
    base = base.filter(step_org_id__in={org for _role, org in pairs})
    roles_at: dict[int, set[str]] = {}
    for role, org in pairs:
        roles_at.setdefault(org, set()).add(role)
    # The step's role is inside the version's JSON: filter the (few) candidates in Python, then by id.
    keep = [
        c.pk
        for c in base.select_related("item_version")
        if (s := c.current_step) is not None
        and ({s["role"], *([BUREAU_ADMIN] if c.escalated else [])} & roles_at.get(c.step_org_id or 0, set()))
    ]
    return Case.objects.restrict(user, "view").filter(pk__in=keep)


def may_see_as_applicant(user: Any, case: Case) -> bool:
    """The applicant, or a relative recorded in the registry, reads the case."""
    from yinling.registry import acting

    me = acting.retiree_of(user)
    if me is None:
        return False
    if case.retiree_id == me.pk:
        return True
    return any(r.pk == case.retiree_id for r in acting.relatives_of(me))

"""A retiree who moves takes their care plan and open campaign targets' reporting org along."""

from __future__ import annotations

from typing import Any


def on_moved(sender: Any, retiree: Any, to_org: Any, **kwargs: Any) -> None:
    from yinling.care.models import CarePlan

    # Inside the registry's audited transfer: the plan's org is a copy of the record's, not a decision.
    CarePlan.objects.unrestricted().filter(retiree=retiree).update(org=to_org)


def connect() -> None:
    from yinling.registry.signals import retiree_moved

    retiree_moved.connect(on_moved, dispatch_uid="care.plan_follows_move")

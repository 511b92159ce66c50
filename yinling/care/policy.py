"""Who may do what in care work (pure: no writes). PermissionDenied is a 403; the pages and the API have
already looked the object up inside the user's scope (404 outside it). Domain rules are `Refused` in the
services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from yinling.care.models import Campaign, CampaignTarget, CareEvent, CarePlan, Plan1P1C, Visit
from yinling.core.scoping import can, can_at
from yinling.registry.models import Retiree


def check_set_plan(user: Any, retiree: Retiree) -> None:
    if not can_at(user, CarePlan, "change", retiree.org):
        raise PermissionDenied


def check_record_event(user: Any, retiree: Retiree) -> None:
    if not can_at(user, CareEvent, "add", retiree.org):
        raise PermissionDenied


def check_record_visit(user: Any, retiree: Retiree) -> None:
    if not can_at(user, Visit, "add", retiree.org):
        raise PermissionDenied


def check_campaign_at(user: Any, org: Any, action: str = "add") -> None:
    if not can_at(user, Campaign, action, org):
        raise PermissionDenied


def check_change_campaign(user: Any, campaign: Campaign) -> None:
    if not can(user, "change", campaign):
        raise PermissionDenied


def check_assign(user: Any, target: CampaignTarget) -> None:
    if not can(user, "change", target):
        raise PermissionDenied


def check_mark_target(user: Any, target: CampaignTarget) -> None:
    """Recording a festival campaign's visit marks its target done: a change to the target."""
    if not can(user, "change", target):
        raise PermissionDenied


def check_write_policy(user: Any, retiree: Retiree) -> None:
    if not can_at(user, Plan1P1C, "change", retiree.org) or not can_at(user, Plan1P1C, "add", retiree.org):
        raise PermissionDenied


def check_review_policy(user: Any, plan: Plan1P1C) -> None:
    if not can(user, "change", plan):
        raise PermissionDenied


def may_be_worker(worker: Any, org: Any) -> bool:
    """A responsible worker is an active staff account that may record visits at the person's org."""
    return (
        worker is not None
        and getattr(worker, "is_active", False)
        and getattr(worker, "kind", "") != "retiree"
        and can_at(worker, Visit, "add", org)
    )


def check_set_plan_at(user: Any, org: Any) -> None:
    if not can_at(user, CarePlan, "change", org) or not can_at(user, CarePlan, "add", org):
        raise PermissionDenied

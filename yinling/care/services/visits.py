"""Recording a visit (home, hospital, care home, phone, talk): it moves the person's plan on (the next visit,
call and talk dates, the event's 24-hour deadline, a milestone birthday) and, for a festival campaign's
target, marks the target done. Photos are optional, checked by content (JPEG, PNG or WebP, at most 5 MB)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.care import policy, rhythm
from yinling.care.models import Campaign, CampaignTarget, CareEvent, Occasion, Visit, VisitKind
from yinling.care.services import explicit
from yinling.care.services.plans import check_on_register, locked_plan
from yinling.core.refusals import Refused
from yinling.core.uploads import check_photo
from yinling.registry.models import Retiree

OLDEST_DAYS = 366  # a visit is recorded within a year of it


def _check_date(visited_on: dt.date, today: dt.date) -> None:
    if visited_on > today:
        raise Refused("invalid", _("The visit date cannot be in the future."))
    if (today - visited_on).days > OLDEST_DAYS:
        raise Refused("invalid", _("Record visits within a year of them."))


def _target_for(target: CampaignTarget | None, retiree: Retiree, visited_on: dt.date) -> CampaignTarget | None:
    if target is None:
        return None
    locked = CampaignTarget.objects.unrestricted().select_for_update().select_related("campaign").get(pk=target.pk)
    if locked.retiree_id != retiree.pk:
        raise Refused("not_eligible", _("This person is not on that campaign's list."))
    if locked.campaign.status == Campaign.Status.CLOSED:
        raise Refused("closed", _("This campaign is closed."))
    if locked.done_on is not None:
        raise Refused("duplicate", _("This person's campaign visit is already recorded."))
    return locked


@explicit
@transaction.atomic
def do_record_visit(
    *,
    by: Any,
    retiree: Retiree,
    kind: str,
    visited_on: dt.date,
    visitors: str,
    given: str = "",
    needs: str = "",
    follow_up: str = "",
    open_case: bool = False,
    occasion: str = Occasion.ROUTINE,
    photo: UploadedFile | None = None,
    target: CampaignTarget | None = None,
) -> Visit:
    """Record a visit. Refused: `not_eligible` (not on register, or not on the named campaign's list),
    `invalid` (a future date, a bad photo, no visitors), `duplicate` (the same kind recorded for that day, or
    the campaign visit already recorded), `closed` (the campaign is closed)."""
    policy.check_record_visit(by, retiree)
    if target is not None:
        policy.check_mark_target(by, target)
    locked = Retiree.objects.unrestricted().select_for_update().get(pk=retiree.pk)
    check_on_register(locked)
    today = timezone.localdate()
    _check_date(visited_on, today)
    if kind not in VisitKind.values:
        raise Refused("invalid", _("Choose the kind of visit."))
    visitors = " ".join(str(visitors or "").split())[:200]
    if not visitors:
        raise Refused("invalid", _("Name who visited."))
    if photo is not None:
        check_photo(photo)
    locked_target = _target_for(target, locked, visited_on)
    if locked_target is not None:
        occasion = Occasion.FESTIVAL
    if Visit.objects.unrestricted().filter(retiree=locked, kind=kind, visited_on=visited_on).exists():
        raise Refused("duplicate", _("A visit of this kind is already recorded for this person on that day."))
    plan, _created = locked_plan(locked, today)
    open_events = list(CareEvent.objects.unrestricted().filter(retiree=locked, visited=False).order_by("happened_at"))
    in_person = kind in rhythm.IN_PERSON
    answered = [e for e in open_events if in_person and timezone.localtime(e.happened_at).date() <= visited_on]
    visit = Visit(
        retiree=locked,
        kind=kind,
        occasion=Occasion.EVENT if answered and occasion == Occasion.ROUTINE else occasion,
        visited_on=visited_on,
        visitors=visitors,
        given=str(given or "").strip()[:200],
        needs=str(needs or "").strip()[:2000],
        follow_up=str(follow_up or "").strip()[:300],
        open_case=bool(open_case),
        event=answered[-1] if answered else None,
        recorded_by=by if getattr(by, "pk", None) else None,
    )
    if photo is not None:
        visit.photo = photo
    visit.save()
    # The plan moves on: the visit, the month's contact, the talk, the event's deadline, the birthday.
    if in_person:
        plan.last_visit_on = max(d for d in (plan.last_visit_on, visited_on) if d is not None)
    if kind == VisitKind.PHONE:
        plan.last_call_on = max(d for d in (plan.last_call_on, visited_on) if d is not None)
    if kind == VisitKind.TALK:
        plan.last_talk_on = max(d for d in (plan.last_talk_on, visited_on) if d is not None)
    for event in answered:
        event.visited = True
        event.save(update_fields=["visited"])
    remaining = [e.visit_due_at for e in open_events if e not in answered]
    plan.event_due_at = min(remaining) if remaining else None
    if in_person and (occasion == Occasion.BIRTHDAY or locked_target is not None):
        age = rhythm.milestone_age(locked.birth_date, visited_on)
        if age is not None and age > plan.milestone_done:
            plan.milestone_done = age
    rhythm.recompute(plan, today, locked.birth_date)
    plan.save()
    if locked_target is not None:
        locked_target.visit = visit
        locked_target.done_on = visited_on
        locked_target.save(update_fields=["visit", "done_on"])
    extra: dict[str, Any] = {"event": "care_visit", "retiree": locked.pk, "kind": kind}
    if locked_target is not None:
        extra["campaign"] = locked_target.campaign_id
    record(AuditRecord.Action.CREATE, visit, extra=extra)
    return visit

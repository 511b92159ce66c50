"""Festival campaigns (春节慰问 and others): the list built by rules into targets, targets assigned to workers,
closing. Each target's visit is recorded by visits.do_record_visit(target=...)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import bulk_record, record, record_values
from yinling.care import policy, rules
from yinling.care.models import Campaign, CampaignTarget
from yinling.care.services import explicit
from yinling.core.refusals import Refused
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.models import Retiree


def clean_campaign(name: str, starts_on: dt.date, ends_on: dt.date, codes: list[str]) -> list[str]:
    if not str(name or "").strip():
        raise Refused("invalid", _("Give the campaign a name."))
    if ends_on < starts_on:
        raise Refused("invalid", _("The campaign ends before it starts."))
    if (ends_on - starts_on).days > 366:
        raise Refused("invalid", _("A campaign lasts at most a year."))
    unknown = [c for c in codes if c not in rules.BY_CODE]
    if unknown or not codes:
        raise Refused("invalid", _("Choose who the campaign visits."))
    return list(dict.fromkeys(codes))


@explicit
@transaction.atomic
def do_create_campaign(
    *, by: Any, org: Org, name: str, kind: str, starts_on: dt.date, ends_on: dt.date, codes: list[str]
) -> Campaign:
    policy.check_campaign_at(by, org, "add")
    codes = clean_campaign(name, starts_on, ends_on, codes)
    if kind not in Campaign.Kind.values:
        raise Refused("invalid", _("Choose the kind of campaign."))
    campaign = Campaign.objects.create(
        org=org,
        name=name.strip()[:100],
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        rules=codes,
        created_by=by if getattr(by, "pk", None) else None,
    )
    record(AuditRecord.Action.CREATE, campaign, extra={"event": "care_campaign_created"})
    return campaign


def matching(campaign: Campaign) -> dict[int, tuple[int, list[str]]]:
    """{retiree id: (org id, [rule codes])} for the people on register in the campaign's subtree.
    One query per rule; read on the campaign's authority (the caller's policy check has run)."""
    found: dict[int, tuple[int, list[str]]] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    people = Retiree.objects.unrestricted().filter(
        org__path__under=campaign.org.path, status=choices.Status.ACTIVE, is_deleted=False
    )
    for code in campaign.rules:
        rule = rules.BY_CODE.get(code)
        if rule is None:
            continue
        for pk, org_id in people.filter(rule.q(campaign.starts_on, campaign.ends_on)).values_list("pk", "org_id"):
            reasons[pk].append(code)
            found[pk] = (org_id, reasons[pk])
    return found


@explicit
@transaction.atomic
def do_build_targets(*, by: Any, campaign: Campaign) -> int:
    """Add everyone the rules find and who is not on the list yet (building again adds newcomers, never removes
    a target). Refused `closed` for a closed campaign. Returns how many were added."""
    policy.check_change_campaign(by, campaign)
    locked = Campaign.objects.unrestricted().select_for_update().select_related("org").get(pk=campaign.pk)
    if locked.status == Campaign.Status.CLOSED:
        raise Refused("closed", _("This campaign is closed."))
    have = set(CampaignTarget.objects.unrestricted().filter(campaign=locked).values_list("retiree_id", flat=True))
    rows = [
        CampaignTarget(campaign=locked, retiree_id=pk, org_id=org_id, reasons=f"|{'|'.join(codes)}|")
        for pk, (org_id, codes) in sorted(matching(locked).items())
        if pk not in have
    ]
    created = CampaignTarget.objects.bulk_create(rows, batch_size=1000)
    if not all(t.pk for t in created):  # SQLite before 3.35 returns no ids: read them back
        created = list(CampaignTarget.objects.unrestricted().filter(campaign=locked).exclude(retiree_id__in=have))
    locked.built_at = timezone.now()
    locked.save(update_fields=["built_at"])
    bulk_record(
        [
            record_values(AuditRecord.Action.CREATE, t, extra={"event": "care_target_added", "retiree": t.retiree_id})
            for t in created
        ]
    )
    record(AuditRecord.Action.UPDATE, locked, extra={"event": "care_campaign_built", "rows": len(created)})
    return len(created)


@explicit
@transaction.atomic
def do_assign(*, by: Any, targets: list[CampaignTarget], worker: Any) -> int:
    """Assign targets to a worker (None: unassign). Every target must be one the user may change (403), the
    worker staff who may record visits at each target's org (`not_eligible`), the campaign open (`closed`)."""
    for target in targets:
        policy.check_assign(by, target)
    ids = sorted(t.pk for t in targets)
    locked = list(
        CampaignTarget.objects.unrestricted().select_for_update().select_related("campaign", "org").filter(pk__in=ids)
    )
    entries = []
    for target in locked:
        if target.campaign.status == Campaign.Status.CLOSED:
            raise Refused("closed", _("This campaign is closed."))
        if worker is not None and not policy.may_be_worker(worker, target.org):
            raise Refused("not_eligible", _("The worker must be staff who may record visits for these people."))
        if target.worker_id == getattr(worker, "pk", None):
            continue
        before = target.worker_id
        target.worker = worker
        target.save(update_fields=["worker"])
        entries.append(
            record_values(
                AuditRecord.Action.UPDATE,
                target,
                changes={"worker": [before, target.worker_id]},
                extra={"event": "care_target_assigned", "retiree": target.retiree_id},
            )
        )
    bulk_record(entries)
    return len(entries)


@explicit
@transaction.atomic
def do_close_campaign(*, by: Any, campaign: Campaign) -> Campaign:
    policy.check_change_campaign(by, campaign)
    locked = Campaign.objects.unrestricted().select_for_update().get(pk=campaign.pk)
    if locked.status == Campaign.Status.CLOSED:
        raise Refused("closed", _("This campaign is already closed."))
    locked.status = Campaign.Status.CLOSED
    locked.save(update_fields=["status"])
    record(
        AuditRecord.Action.UPDATE,
        locked,
        changes={"status": [Campaign.Status.OPEN, Campaign.Status.CLOSED]},
        extra={"event": "care_campaign_closed"},
    )
    return locked

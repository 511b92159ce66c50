"""The service cycle: a need is posted, taken on, reported, confirmed and paid (or disputed and settled),
cancelled, missed, or expires.

Each step is one transaction: the need's row is locked, its status checked and moved, and the step
audited; paying goes through ledger.post().
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.scoping import can
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.timebank import ledger, notices
from yinling.timebank.ledger import Refused
from yinling.timebank.models import ServiceRequest, Transfer
from yinling.timebank.services.accounts import do_join, pool_for
from yinling.timebank.services.selectors import (
    hours_recorded_for_day,
    is_priority,
    lookup,
    provider_problem,
    provider_rule,
    service_day,
    settlement_hours,
    settlement_unit,
)

POST_FOR_RELATIVES = gettext_lazy("You can only post needs for relatives recorded in the registry.")


# How late a new need may start: a member posting for "now" is a few minutes late, not a day (or a century).
START_MARGIN = dt.timedelta(hours=1)


def start_problem(starts_at: dt.datetime) -> str | None:
    """Why a new need may not start then (None if it may): the page's form and the API both ask here."""
    if starts_at < timezone.now() - START_MARGIN:
        return str(_("Choose a time that has not passed yet."))
    return None


@transaction.atomic
def do_post_need(
    *,
    by: Any,
    recipient: Retiree,
    category: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    expected_hours: Decimal,
    description: str = "",
    community: str = "",
    poster: Retiree | None = None,
) -> ServiceRequest:
    """Post a need for `recipient`. `poster` is the member posting it (themselves, or family for a recorded
    relative); None when staff post it, whose right to do so at the recipient's org the caller checked."""
    if poster is not None:
        acting.require_family(poster, recipient, str(POST_FOR_RELATIVES))
    account, rule, _pool = lookup(recipient.org, recipient)
    account = account or do_join(by=by, retiree=recipient)
    if ends_at <= starts_at:
        raise Refused("invalid_window", _("The end must be later than the start."))
    amount = ledger._check_amount(expected_hours, rule.unit)
    window = Decimal((ends_at - starts_at).total_seconds()) / 3600
    if amount > window:
        raise Refused(
            "hours_exceed_window",
            _("The hours cannot exceed the agreed time window (%(window)s hours).") % {"window": f"{window:.1f}"},
        )
    need = ServiceRequest.objects.create(
        recipient=account,
        org=recipient.org,
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_hours=amount,
        description=description,
        community=community or recipient.community,
        posted_by=by if getattr(by, "is_authenticated", False) else None,
        paid_by_pool=is_priority(recipient, rule),
    )
    record(AuditRecord.Action.CREATE, need, object_type="timebank.servicerequest", org_path=recipient.org.path)
    return need


def _transition(need: ServiceRequest, allowed: tuple[str, ...], to: str, **changes: Any) -> ServiceRequest:
    # The recipient's and the org's rows come along for the audit record (str(need)); only the need is locked.
    locked = (
        ServiceRequest.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("recipient__retiree", "org", "provider__org")
        .defer(*(f"recipient__retiree__{f}" for f in Retiree.audit_sensitive))  # str(need) needs the name only
        .get(pk=need.pk)
    )
    if locked.status not in allowed:
        raise Refused(
            "invalid_state",
            _("This cannot be done while the status is “%(status)s”.") % {"status": locked.get_status_display()},
        )
    before = locked.status
    locked.status = to
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.save()
    record(
        AuditRecord.Action.UPDATE,
        locked,
        object_type="timebank.servicerequest",
        org_path=locked.org.path,
        changes={"status": [before, to], **{k: [None, str(v)] for k, v in changes.items()}},
    )
    return locked


@transaction.atomic
def do_accept(*, by: Any, need: ServiceRequest, provider: Retiree) -> ServiceRequest:
    account, rule, _pool = lookup(provider.org, provider)
    if account is None or not account.is_provider:
        raise Refused("not_provider", _("Register as a helper first."))
    if account.pk == need.recipient_id:
        raise Refused("self_service", _("You cannot provide a service to yourself."))
    problem = provider_problem(provider, rule)
    if problem:
        raise Refused("not_eligible", problem)
    account.retiree = provider  # already loaded: the audit record names the provider without another query
    need = _transition(need, (ServiceRequest.Status.OPEN,), ServiceRequest.Status.ACCEPTED, provider=account)
    notices.need_taken_on(need, by=by)
    return need


def _require_started(need: ServiceRequest) -> None:
    """Hours are recorded and paid for a service that has taken place: not before its appointed start."""
    if timezone.now() < need.starts_at:
        raise Refused(
            "not_started",
            _("This service has not taken place yet: it starts at %(when)s.")
            % {"when": timezone.localtime(need.starts_at).strftime("%Y-%m-%d %H:%M")},
        )


@transaction.atomic
def do_report(*, by: Any, need: ServiceRequest, hours: Decimal) -> ServiceRequest:
    """The provider (or staff for them) records the hours served; they must fit the provider's daily cap."""
    _require_started(need)
    rule = lookup(need.org)[1]
    amount = ledger._check_amount(hours, rule.unit)
    window = Decimal((need.ends_at - need.starts_at).total_seconds()) / 3600
    if amount > window:
        raise Refused(
            "hours_exceed_window",
            _("The hours cannot exceed the agreed time window (%(window)s hours).") % {"window": f"{window:.1f}"},
        )
    need = _transition(need, (ServiceRequest.Status.ACCEPTED,), ServiceRequest.Status.REPORTED, actual_hours=amount)
    _check_recorded_hours(need, amount)
    notices.service_to_confirm(need, by=by)
    return need


def _check_recorded_hours(need: ServiceRequest, amount: Decimal) -> None:
    """The provider's daily cap (their own org's rule) on the day of the service, counting the hours
    they recorded for that day. The provider's account row is locked first, so two reports of the same
    provider are counted one after the other and cannot both slip under the cap."""
    assert need.provider is not None
    rule = provider_rule(need)
    ledger.lock(need.provider)
    day = service_day(need)
    recorded = hours_recorded_for_day(need.provider, day, exclude=need.pk)
    if recorded + amount > rule.daily_cap:
        raise Refused("daily_cap", ledger.daily_cap_message(day, recorded, rule.daily_cap))


@transaction.atomic
def do_confirm(*, by: Any, need: ServiceRequest, rating: int, on_behalf: bool = False) -> ServiceRequest:
    """The recipient (or staff for them) confirms: the hours move from recipient or pool to the provider."""
    if not 1 <= rating <= 5:
        raise Refused("invalid_rating", _("The rating is 1 to 5 stars."))
    _require_started(need)
    need = _transition(
        need,
        (ServiceRequest.Status.REPORTED,),
        ServiceRequest.Status.CONFIRMED,
        rating=rating,
        confirmed_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _pay(need, by=by, on_behalf=on_behalf)
    return need


def _service_reason(need: ServiceRequest) -> str:
    """The service transfer's reason, e.g. “助餐服务”: data, so in the bureau's language (the category
    label is translated) whatever the language of whoever confirms."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{need.get_category_display()}服务"


def _pay(need: ServiceRequest, *, by: Any, on_behalf: bool) -> None:
    """Pay a service. The provider's caps (balance and daily) come from the provider's own org's rule;
    the daily cap is re-checked under the row locks against the hours already paid for that day."""
    assert need.provider is not None and need.actual_hours is not None
    _none, need_rule, need_pool = lookup(need.org)
    provider_org = need.provider.org or need.org
    if provider_org.pk == need.org_id:
        own_rule, provider_pool = need_rule, need_pool
    else:
        _none, own_rule, provider_pool = lookup(provider_org)
    pool_in = provider_pool or pool_for(provider_org, by=by)
    payer = (need_pool or pool_for(need.org, by=by)) if need.paid_by_pool else need.recipient
    ledger.post(
        Transfer.Kind.SERVICE,
        payer,
        need.provider,
        need.actual_hours,
        by=by,
        request=need,
        on_behalf=on_behalf,
        reason=_service_reason(need),
        cap=own_rule.balance_cap,
        pool_for_overflow=pool_in,
        daily_cap=own_rule.daily_cap,
        service_day=service_day(need),
    )
    notices.hours_paid(need, by=by)


@transaction.atomic
def do_cancel(*, by: Any, need: ServiceRequest, reason: str = "") -> ServiceRequest:
    return _transition(
        need,
        (ServiceRequest.Status.OPEN, ServiceRequest.Status.ACCEPTED),
        ServiceRequest.Status.CANCELLED,
        note=reason[:300],
    )


@transaction.atomic
def do_no_show(*, by: Any, need: ServiceRequest) -> ServiceRequest:
    return _transition(need, (ServiceRequest.Status.ACCEPTED,), ServiceRequest.Status.NO_SHOW)


@transaction.atomic
def do_dispute(*, by: Any, need: ServiceRequest, reason: str) -> ServiceRequest:
    if not reason.strip():
        raise Refused("reason_required", _("Say what is wrong with the service."))
    return _transition(need, (ServiceRequest.Status.REPORTED,), ServiceRequest.Status.DISPUTED, note=reason[:300])


@transaction.atomic
def do_resolve(*, by: Any, need: ServiceRequest, hours: Decimal, note: str) -> ServiceRequest:
    """Staff settle a dispute: pay `hours` (0 for none, else a multiple of the unit) and close it."""
    if not can(by, "change", need):
        raise PermissionDenied
    amount = settlement_hours(hours, settlement_unit(need))
    need = _transition(
        need, (ServiceRequest.Status.DISPUTED,), ServiceRequest.Status.RESOLVED, actual_hours=amount, note=note[:300]
    )
    if amount > 0:
        _pay(need, by=by, on_behalf=True)
    return need


@dataclass
class Expiry:
    expired: int = 0
    skipped: int = 0  # taken on (or cancelled) between the query and the lock: left as they are


def expire_overdue(now: dt.datetime | None = None) -> Expiry:
    """Open needs whose window has passed expire (run daily by `manage.py expire_timebank_requests`).

    Each need is its own transaction and is checked again under its row lock: one that a provider
    accepted (or the recipient cancelled) meanwhile is skipped, and the run goes on."""
    now = now or timezone.now()
    result = Expiry()
    # Read without locks: each need may be taken on before its own transaction locks it.
    for need in (
        ServiceRequest.objects.unrestricted().filter(status=ServiceRequest.Status.OPEN, ends_at__lt=now).order_by("pk")
    ):
        try:
            with transaction.atomic():
                _transition(need, (ServiceRequest.Status.OPEN,), ServiceRequest.Status.EXPIRED)
        except Refused:
            result.skipped += 1
        else:
            result.expired += 1
    return result

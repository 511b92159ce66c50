"""Time bank actions: membership, issuance, grants, gifts, donations and the service cycle.

Each is one transaction; ledger.post() does the locking, the movements and the audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.scoping import can, user_paths
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.timebank import ledger
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Offer, Rule, ServiceRequest, Transfer

DEFAULT_RULE = Rule()


def rule_for(org: Org | None) -> Rule:
    """The nearest rule up the tree, or the defaults."""
    if org is None:
        return DEFAULT_RULE
    codes = [c for c in org.path.split("/") if c]
    rules = {r.org.code: r for r in Rule.objects.unrestricted().filter(org__code__in=codes).select_related("org")}
    for code in reversed(codes):
        if code in rules:
            return rules[code]
    return DEFAULT_RULE


def issuance_account() -> Account:
    account, _created = Account.objects.unrestricted().get_or_create(kind=Account.Kind.ISSUANCE)
    return account


def pool_for(org: Org) -> Account:
    account, _created = Account.objects.unrestricted().get_or_create(kind=Account.Kind.POOL, org=org)
    return account


def scheme_pool(org: Org) -> Account:
    """The pool that serves `org`: the nearest org up the tree that runs one, else the org's own."""
    return nearest_pool(org) or pool_for(org)


def nearest_pool(org: Org) -> Account | None:
    """The nearest pool up the tree from `org` (its own included), if any."""
    codes = [c for c in org.path.split("/") if c]
    pools = {
        a.org.code: a
        for a in Account.objects.unrestricted()
        .filter(kind=Account.Kind.POOL, org__code__in=codes)
        .select_related("org")
        if a.org is not None
    }
    for code in reversed(codes):
        if code in pools:
            return pools[code]
    return None


def is_priority(retiree: Retiree, rule: Rule | None = None) -> bool:
    """80+, disabled, living alone, or marked as in hardship (the 困难 library)."""
    rule = rule or rule_for(retiree.org)
    return (
        retiree.age >= rule.recipient_priority_age
        or retiree.disabled
        or retiree.living == "alone"
        or "hardship" in (retiree.special_flags or [])
    )


def provider_problem(retiree: Retiree, rule: Rule | None = None) -> str:
    """Why this person cannot provide services ('' when they can)."""
    rule = rule or rule_for(retiree.org)
    if retiree.status != "active":
        return _("Only people on the register can provide services.")
    if not rule.provider_min_age <= retiree.age <= rule.provider_max_age:
        return _("Helpers must be between %(min)s and %(max)s years old.") % {
            "min": rule.provider_min_age,
            "max": rule.provider_max_age,
        }
    if retiree.disabled or retiree.health == "serious":
        return _("Helpers must be in good health and able to look after themselves.")
    return ""


_ACCOUNT_FIELDS = ["id", "kind", "retiree_id", "org_id", "balance", "is_provider"]
_RULE_FIELDS = [f.attname for f in Rule._meta.concrete_fields]
_CONTEXT_SQL = f"""
SELECT {", ".join("m." + f for f in _ACCOUNT_FIELDS)},
       {", ".join("r." + f for f in _RULE_FIELDS)},
       {", ".join("p." + f for f in _ACCOUNT_FIELDS)}
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT * FROM timebank_account WHERE kind = 'member' AND retiree_id = %s LIMIT 1
) AS m ON true
LEFT JOIN LATERAL (
    SELECT timebank_rule.* FROM timebank_rule JOIN orgs_org ON orgs_org.id = timebank_rule.org_id
    WHERE orgs_org.code = ANY(%s) ORDER BY orgs_org.depth DESC LIMIT 1
) AS r ON true
LEFT JOIN LATERAL (
    SELECT timebank_account.* FROM timebank_account JOIN orgs_org ON orgs_org.id = timebank_account.org_id
    WHERE timebank_account.kind = 'pool' AND orgs_org.code = ANY(%s) ORDER BY orgs_org.depth DESC LIMIT 1
) AS p ON true
"""  # noqa: S608 - column names only


ledger.PREPARED["tb_context"] = _CONTEXT_SQL


def lookup(org: Org, retiree: Retiree | None = None) -> tuple[Account | None, Rule, Account | None]:
    """(the retiree's member account or None, the rule for `org`, the nearest pool up the tree or
    None): what transfers and the service cycle look up first — member_account(), rule_for() and
    nearest_pool() at once, in one prepared query on PostgreSQL."""
    if connection.vendor != "postgresql":
        return (member_account(retiree) if retiree else None), rule_for(org), nearest_pool(org)
    codes = [c for c in org.path.split("/") if c]
    ledger.prepare_statements()
    with connection.cursor() as cur:
        ledger.execute_prepared(cur, "tb_context", [retiree.pk if retiree else -1, codes, codes])
        row = cur.fetchone()
    n, k = len(_ACCOUNT_FIELDS), len(_RULE_FIELDS)
    member_row, rule_row, pool_row = row[:n], row[n : n + k], row[n + k :]
    account = Account.from_db(connection.alias, _ACCOUNT_FIELDS, member_row) if member_row[0] else None
    rule = Rule.from_db(connection.alias, _RULE_FIELDS, rule_row) if rule_row[0] else DEFAULT_RULE
    pool = Account.from_db(connection.alias, _ACCOUNT_FIELDS, pool_row) if pool_row[0] else None
    return account, rule, pool


def member_context(retiree: Retiree) -> tuple[Account | None, Rule, Account]:
    """(the member's account or None, the rule for their org, the pool serving it — opened for
    their org if none up the tree runs one, as scheme_pool() does)."""
    account, rule, pool = lookup(retiree.org, retiree)
    return account, rule, pool or pool_for(retiree.org)


def member_account(retiree: Retiree) -> Account | None:
    # With its org: a transfer's audit record names the org path.
    return (
        Account.objects.unrestricted().select_related("org").filter(kind=Account.Kind.MEMBER, retiree=retiree).first()
    )


@transaction.atomic
def do_join(*, by: Any, retiree: Retiree, as_provider: bool = False) -> Account:
    """Join the scheme (the retiree, or staff on their behalf); starter hours come from the pool."""
    if retiree.status != "active" or retiree.is_deleted:
        raise Refused("not_eligible", _("Only people on the register can join the time bank."))
    if as_provider:
        problem = provider_problem(retiree)
        if problem:
            raise Refused("not_eligible", problem)
    account, created = Account.objects.unrestricted().get_or_create(
        kind=Account.Kind.MEMBER, retiree=retiree, defaults={"org": retiree.org, "is_provider": as_provider}
    )
    if not created and as_provider and not account.is_provider:
        account.is_provider = True
        account.save(update_fields=["is_provider"])
    if created:
        record(
            AuditRecord.Action.CREATE,
            account,
            object_type="timebank.account",
            org_path=retiree.org.path,
            extra={"event": "joined", "provider": as_provider},
        )
        rule = rule_for(retiree.org)
        if rule.starter_hours > 0:
            pool = scheme_pool(retiree.org)
            if pool.balance >= rule.starter_hours:
                # Transfer reasons are data: the ledger records them in the bureau's language.
                ledger.post(Transfer.Kind.STARTER, pool, account, rule.starter_hours, by=by, reason="入会赠送时长")
    return account


DOCUMENT_REQUIRED = gettext_lazy("Issuing hours needs the approval document's number.")


def _require(user: Any, perm: str, org: Org) -> None:
    if not any(org.path.startswith(p) for p in user_paths(user, perm)):
        raise PermissionDenied


@transaction.atomic
def do_issue(*, by: Any, org: Org, hours: Decimal, reason: str, document_no: str = "") -> Transfer:
    """Put hours into an org's pool (bureau admin of that org or above, with a reason and the
    approval document's number: both are required, whoever calls)."""
    _require(by, "timebank.issue_account", org)
    if not reason.strip():
        raise Refused("reason_required", _("Issuing or granting hours needs a reason."))
    document_no = document_no.strip()
    if not document_no:
        raise Refused("document_required", str(DOCUMENT_REQUIRED))
    rule = rule_for(org)
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.ISSUANCE, issuance_account(), pool_for(org), amount, by=by, reason=reason, document_no=document_no
    ).transfer


@transaction.atomic
def do_grant(*, by: Any, retiree: Retiree, hours: Decimal, reason: str) -> ledger.Posted:
    """Staff grant hours from the pool serving the member's org to a priority elder."""
    if not can(by, "grant", _scoped_account(retiree)):
        raise PermissionDenied
    if not reason.strip():
        raise Refused("reason_required", _("Issuing or granting hours needs a reason."))
    account, rule, pool = member_context(retiree)
    account = account or do_join(by=by, retiree=retiree)
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.GRANT, pool, account, amount, by=by, reason=reason, cap=rule.balance_cap, pool_for_overflow=pool
    )


def _scoped_account(retiree: Retiree) -> Account:
    """An unsaved stand-in scoped like the member's account, for permission checks."""
    return Account(kind=Account.Kind.MEMBER, org=retiree.org)


@transaction.atomic
def do_donate(*, by: Any, retiree: Retiree, hours: Decimal, on_behalf: bool = False) -> Transfer:
    account, rule, pool = member_context(retiree)
    if account is None:
        raise Refused("not_member", _("Not a member of the time bank yet."))
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.DONATION,
        account,
        pool,
        amount,
        by=by,
        reason="捐赠给互助池",  # data: the bureau's language (see do_join)
        on_behalf=on_behalf,
    ).transfer


def are_relatives(a: Retiree, b: Retiree) -> bool:
    """Recorded in the registry: one lists the other among their family contacts (same name and phone)."""
    for giver, taker in ((a, b), (b, a)):
        for contact in giver.contacts.all():
            if contact.name == taker.name and (not contact.phone or not taker.phone or contact.phone == taker.phone):
                return True
    return False


@transaction.atomic
def do_gift(*, by: Any, giver: Retiree, to: Retiree, hours: Decimal, on_behalf: bool = False) -> ledger.Posted:
    if giver.pk == to.pk:
        raise Refused("self_transfer", _("You cannot give hours to yourself."))
    if not are_relatives(giver, to):
        raise Refused("not_relative", _("Hours can only be given to relatives recorded in the registry."))
    source = member_context(giver)[0]
    if source is None:
        raise Refused("not_member", _("Not a member of the time bank yet."))
    target, rule, pool = member_context(to)
    target = target or do_join(by=by, retiree=to)
    amount = ledger._check_amount(hours, rule.unit)
    return ledger.post(
        Transfer.Kind.GIFT,
        source,
        target,
        amount,
        by=by,
        reason="赠送亲属",  # data: the bureau's language (see do_join)
        on_behalf=on_behalf,
        cap=rule.balance_cap,
        pool_for_overflow=pool,
    )


# --- the service cycle ----------------------------------------------------------------------


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
) -> ServiceRequest:
    account, rule, _pool = lookup(recipient.org, recipient)
    account = account or do_join(by=by, retiree=recipient)
    if ends_at <= starts_at:
        raise Refused("invalid_window", _("The end must be later than the start."))
    amount = ledger._check_amount(expected_hours, rule.unit)
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
    return _transition(need, (ServiceRequest.Status.OPEN,), ServiceRequest.Status.ACCEPTED, provider=account)


@transaction.atomic
def do_report(*, by: Any, need: ServiceRequest, hours: Decimal) -> ServiceRequest:
    """The provider (or staff for them) records the hours served; they must fit the provider's daily cap."""
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
    return need


# Needs whose hours count as served: recorded by the provider, and not cancelled since.
SERVED = (
    ServiceRequest.Status.REPORTED,
    ServiceRequest.Status.DISPUTED,
    ServiceRequest.Status.CONFIRMED,
    ServiceRequest.Status.RESOLVED,
)


def service_day(need: ServiceRequest) -> dt.date:
    """The day a service took place: the local date its need's time window starts."""
    return timezone.localdate(need.starts_at)


def provider_rule(need: ServiceRequest) -> Rule:
    """The rule of the provider's own org: the provider's caps (balance and daily) come from it."""
    assert need.provider is not None
    return lookup(need.provider.org or need.org)[1]


def hours_recorded_for_day(provider: Account, day: dt.date, *, exclude: int | None = None) -> Decimal:
    """Hours the provider recorded for services that took place on `day` (other than need `exclude`)."""
    start, end = ledger.day_bounds(day)
    qs = ServiceRequest.objects.unrestricted().filter(
        provider=provider, status__in=SERVED, starts_at__gte=start, starts_at__lt=end, actual_hours__isnull=False
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(s=Sum("actual_hours"))["s"] or Decimal("0")


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
    pool_in = provider_pool or pool_for(provider_org)
    payer = (need_pool or pool_for(need.org)) if need.paid_by_pool else need.recipient
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


def settlement_hours(hours: Any, unit: Decimal) -> Decimal:
    """The hours staff may pay when settling a dispute: 0 (none), or a positive multiple of the
    rule's unit. The one rule for every path (the API answers 400 with its message)."""
    try:
        amount = hours if isinstance(hours, Decimal) else Decimal(str(hours).strip())
    except (InvalidOperation, ValueError) as exc:
        raise Refused("invalid_amount", _("Enter the hours (0 to pay nothing).")) from exc
    if not amount.is_finite():  # NaN, Infinity
        raise Refused("invalid_amount", _("Enter the hours (0 to pay nothing)."))
    if amount < 0:
        raise Refused("invalid_amount", _("The hours cannot be negative (0 to pay nothing)."))
    try:
        whole = amount % unit == 0
    except InvalidOperation:  # too large to divide (1e100): not a number of hours anyone served
        whole = False
    if not whole:
        raise Refused("invalid_amount", _("The hours must be a whole multiple of %(unit)s hours.") % {"unit": unit})
    return amount


def settlement_unit(need: ServiceRequest) -> Decimal:
    """The unit settlement hours are counted in: the need's rule's, as for reported hours."""
    return lookup(need.org)[1].unit


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


# --- offers, provider flag, relatives (used by the pages and the API) ------------------------


@transaction.atomic
def do_set_provider(*, by: Any, retiree: Retiree, provider: bool) -> Account:
    """Register (or withdraw) a member as a service provider; registering checks eligibility."""
    if provider:
        return do_join(by=by, retiree=retiree, as_provider=True)
    account = member_account(retiree)
    if account is None:
        raise Refused("not_member", _("Not a member of the time bank yet."))
    if account.is_provider:
        Account.objects.filter(pk=account.pk).update(is_provider=False)
        account.is_provider = False
        record(
            AuditRecord.Action.UPDATE,
            account,
            object_type="timebank.account",
            org_path=retiree.org.path,
            changes={"is_provider": [True, False]},
        )
    return account


@transaction.atomic
def do_publish_offer(*, by: Any, provider: Retiree, category: str, description: str, community: str = "") -> Offer:
    account = member_account(provider)
    if account is None or not account.is_provider:
        raise Refused("not_provider", _("Register as a helper first."))
    problem = provider_problem(provider)
    if problem:
        raise Refused("not_eligible", problem)
    if not description.strip():
        raise Refused("description_required", _("Say what help you can offer."))
    offer = Offer.objects.create(
        provider=account,
        org=provider.org,
        category=category,
        description=description[:300],
        community=community or provider.community,
    )
    record(AuditRecord.Action.CREATE, offer, object_type="timebank.offer", org_path=provider.org.path)
    return offer


@transaction.atomic
def do_withdraw_offer(*, by: Any, offer: Offer) -> Offer:
    locked = Offer.objects.unrestricted().select_for_update().get(pk=offer.pk)
    if not locked.is_active:
        raise Refused("invalid_state", _("This offer has been withdrawn."))
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    record(
        AuditRecord.Action.UPDATE,
        locked,
        object_type="timebank.offer",
        org_path=locked.org.path,
        changes={"is_active": [True, False]},
    )
    return locked


@transaction.atomic
def do_book(
    *,
    by: Any,
    offer: Offer,
    recipient: Retiree,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    expected_hours: Decimal,
    description: str = "",
) -> ServiceRequest:
    """Book a provider's offer: a need posted for the recipient and accepted by that provider at once."""
    locked = (
        Offer.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("provider__retiree")
        .get(pk=offer.pk)
    )
    if not locked.is_active:
        raise Refused("invalid_state", _("This offer has been withdrawn."))
    provider = locked.provider.retiree
    if provider is None:
        raise Refused("not_provider", _("The helper is no longer on the register."))
    if provider.pk == recipient.pk:
        raise Refused("self_service", _("You cannot book your own service."))
    need = do_post_need(
        by=by,
        recipient=recipient,
        category=locked.category,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_hours=expected_hours,
        description=description or locked.description,
    )
    ServiceRequest.objects.filter(pk=need.pk).update(offer=locked)
    return do_accept(by=by, need=need, provider=provider)


def relatives_of(retiree: Retiree) -> list[Retiree]:
    """Living registry records that are this person's recorded relatives (see are_relatives)."""
    from yinling.registry.models import FamilyContact

    names = {c.name for c in retiree.contacts.all()}
    # Those this person lists, and those who list this person, matched as are_relatives() matches.
    listing_me = (
        FamilyContact.objects.unrestricted()
        .filter(name=retiree.name)
        .exclude(retiree=retiree)
        .values_list("retiree", flat=True)
    )
    candidates = Retiree.objects.unrestricted().filter(is_deleted=False, status="active").exclude(pk=retiree.pk)
    candidates = candidates.filter(Q(name__in=names) | Q(pk__in=listing_me)).select_related("org")
    return sorted((r for r in candidates if are_relatives(retiree, r)), key=lambda r: r.name_pinyin)


# --- who is acting, and what they see ------------------------------------------------------------

PENDING_AS_RECIPIENT = (
    ServiceRequest.Status.OPEN,
    ServiceRequest.Status.ACCEPTED,
    ServiceRequest.Status.REPORTED,
    ServiceRequest.Status.DISPUTED,
)
PENDING_AS_PROVIDER = (ServiceRequest.Status.ACCEPTED, ServiceRequest.Status.REPORTED, ServiceRequest.Status.DISPUTED)


def retiree_of(user: Any) -> Retiree | None:
    """The registry record behind a signed-in retiree account (None for staff)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "retiree":
        return None
    return Retiree.objects.unrestricted().select_related("org").filter(account=user, is_deleted=False).first()


def area_path(org: Org) -> str:
    """The county (or the org itself, higher up) whose needs a member sees on the board."""
    codes = [c for c in org.path.split("/") if c]
    return "/".join(codes[:3]) + "/"


def pending_for(account: Account) -> Any:
    """Needs the member posted and services they took on that are not finished yet, oldest first."""
    return (
        ServiceRequest.objects.unrestricted()
        .filter(
            Q(recipient=account, status__in=PENDING_AS_RECIPIENT) | Q(provider=account, status__in=PENDING_AS_PROVIDER)
        )
        .select_related("recipient__retiree", "provider__retiree", "org")
        .order_by("starts_at", "id")
    )


def open_needs_near(retiree: Retiree, account: Account | None = None) -> Any:
    """Open needs in the member's county: same community first, then the same org, then the rest."""
    from django.db.models import Case, IntegerField, Value, When

    qs = ServiceRequest.objects.unrestricted().filter(
        status=ServiceRequest.Status.OPEN, ends_at__gte=timezone.now(), org__path__startswith=area_path(retiree.org)
    )
    if account is not None:
        qs = qs.exclude(recipient=account)
    closeness = Case(
        When(community=retiree.community, then=Value(0)) if retiree.community else When(pk__in=[], then=Value(0)),
        When(org=retiree.org, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        qs.annotate(closeness=closeness)
        .select_related("recipient__retiree", "org")
        .order_by("closeness", "starts_at", "id")
    )

"""Time bank reads: the rule and the pool in force, eligibility, and what a member sees.

Nothing here writes. The actions (`do_*`) in the sibling modules call these after their checks; the
pages and the API call them to show the member's own needs, the board and the offers near them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.orgs.models import Org

# Who acts for whom is the registry's to say (registry.acting); named here for the time bank's callers.
from yinling.registry.acting import are_relatives as are_relatives
from yinling.registry.acting import family_of as family_of
from yinling.registry.acting import relatives_of as relatives_of
from yinling.registry.acting import retiree_of as retiree_of
from yinling.registry.models import Retiree
from yinling.timebank import ledger
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Offer, Rule, ServiceRequest

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
    if retiree.is_deleted or retiree.status != "active":
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


def member_account(retiree: Retiree) -> Account | None:
    # With its org: a transfer's audit record names the org path.
    return (
        Account.objects.unrestricted().select_related("org").filter(kind=Account.Kind.MEMBER, retiree=retiree).first()
    )


# --- the service cycle ---------------------------------------------------------------------


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


# --- who is acting, and what they see ------------------------------------------------------------


PENDING_AS_RECIPIENT = (
    ServiceRequest.Status.OPEN,
    ServiceRequest.Status.ACCEPTED,
    ServiceRequest.Status.REPORTED,
    ServiceRequest.Status.DISPUTED,
)


PENDING_AS_PROVIDER = (ServiceRequest.Status.ACCEPTED, ServiceRequest.Status.REPORTED, ServiceRequest.Status.DISPUTED)


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


def _closeness(retiree: Retiree) -> Case:
    """0 for rows in the member's own community, 1 in their org, 2 elsewhere in the county."""
    return Case(
        When(community=retiree.community, then=Value(0)) if retiree.community else When(pk__in=[], then=Value(0)),
        When(org=retiree.org, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def open_needs_near(retiree: Retiree, account: Account | None = None) -> Any:
    """Open needs in the member's county: same community first, then the same org, then the rest."""
    qs = ServiceRequest.objects.unrestricted().filter(
        status=ServiceRequest.Status.OPEN, ends_at__gte=timezone.now(), org__path__under=area_path(retiree.org)
    )
    if account is not None:
        qs = qs.exclude(recipient=account)
    closeness = _closeness(retiree)
    return (
        qs.annotate(closeness=closeness)
        .select_related("recipient__retiree", "org")
        .order_by("closeness", "starts_at", "id")
    )


# --- offers ----------------------------------------------------------------------------------------


def offers_near(retiree: Retiree, account: Account | None = None) -> QuerySet[Offer]:
    """Active offers in the member's county by helpers still registered: same community first,
    then the same org, then the rest; newest first within each."""
    qs = Offer.objects.unrestricted().filter(
        is_active=True,
        provider__is_provider=True,
        org__path__under=area_path(retiree.org),
    )
    if account is not None:
        qs = qs.exclude(provider=account)
    closeness = _closeness(retiree)
    return (
        qs.annotate(closeness=closeness)
        .select_related("provider__retiree", "org")
        .defer(*(f"provider__retiree__{f}" for f in Retiree.audit_sensitive))
        .order_by("closeness", "-created_at", "-id")
    )


def offers_of(account: Account) -> QuerySet[Offer]:
    """A helper's own offers, those still open first."""
    return (
        Offer.objects.unrestricted()
        .filter(provider=account)
        .select_related("org")
        .order_by("-is_active", "-created_at", "-id")
    )


def bookings_of(offer: Offer) -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.unrestricted()
        .filter(offer=offer)
        .select_related("recipient__retiree", "org")
        .defer(*(f"recipient__retiree__{f}" for f in Retiree.audit_sensitive))
        .order_by("-starts_at", "-id")
    )

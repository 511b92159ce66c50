"""Time bank rule settings per org, inherited down the tree: reading the rule in force and setting it.

An org's own `Rule` applies to it and everything below it until a lower org sets its own; an
org without one inherits the nearest ancestor's, and at the top the defaults apply (age band
55–75, balance cap 1,500 h, daily cap 8 h, no starter hours, half-hour unit). Setting or
removing an org's own rule is one transaction, under a lock on the org's row (so two admins
cannot both create it), and writes an audit record with every changed value and the reason.
The service cycle reads the rule afresh for each step (services.rule_for / services.lookup), so
a change applies from the next step on; starter hours apply to members who join afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.scoping import can_at
from yinling.orgs.models import Org
from yinling.timebank.models import Rule

FIELDS = (
    "provider_min_age",
    "provider_max_age",
    "recipient_priority_age",
    "balance_cap",
    "daily_cap",
    "starter_hours",
    "unit",
)
HOUR_FIELDS = ("balance_cap", "daily_cap", "starter_hours")
UNITS = (Decimal("0.5"), Decimal("1"))
# Sane bounds: retirees start at 50 (women cadres) and few serve past 90; priority from 60 at the
# earliest; a day has 24 hours; a balance cap above 100,000 hours is a typing error.
AGE_LOW, AGE_HIGH = 50, 100
PRIORITY_LOW = 60
MAX_BALANCE_CAP = Decimal("100000")
MAX_DAILY_CAP = Decimal("24")
DEFAULTS = Rule()


@dataclass
class Effective:
    """The rule in force at an org: its own, an ancestor's, or the defaults."""

    org: Org
    rule: Rule
    source: Org | None  # the org whose rule it is; None for the defaults

    @property
    def own(self) -> bool:
        return self.source is not None and self.source.pk == self.org.pk

    @property
    def inherited(self) -> bool:
        return not self.own

    def values(self) -> dict[str, Any]:
        return values_of(self.rule)

    @property
    def shown(self) -> dict[str, str]:
        """The values as plain text for pages: 1500, 0.5 (not 1500.00 or 1.5E+3)."""
        return {name: plain(value) for name, value in self.values().items()}


@dataclass
class RuleChange:
    rule: Rule | None  # None after a removal
    created: bool = False
    removed: bool = False
    changes: dict[str, list[Any]] = field(default_factory=dict)


def plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def values_of(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in FIELDS}


def _codes(org: Org) -> list[str]:
    return [c for c in org.path.split("/") if c]


def effective_for(orgs: Iterable[Org]) -> dict[int, Effective]:
    """The rule in force at each org, in one query for all their ancestors' rules."""
    orgs = list(orgs)
    codes = {code for org in orgs for code in _codes(org)}
    rules = (
        {r.org.code: r for r in Rule.objects.unrestricted().filter(org__code__in=codes).select_related("org")}
        if codes
        else {}
    )
    result = {}
    for org in orgs:
        found = next((rules[c] for c in reversed(_codes(org)) if c in rules), None)
        result[org.pk] = Effective(org, found or DEFAULTS, found.org if found else None)
    return result


def effective(org: Org) -> Effective:
    return effective_for([org])[org.pk]


def parent_effective(org: Org) -> Effective:
    """What `org` would inherit without a rule of its own."""
    if org.parent_id is None:
        return Effective(org, DEFAULTS, None)
    parent = Org.objects.unrestricted().get(pk=org.parent_id)
    inherited = effective(parent)
    return Effective(org, inherited.rule, inherited.source)


def overriding_below(org: Org) -> list[Org]:
    """Orgs under `org` (not itself) with a rule of their own: a change here does not reach them."""
    return list(
        Org.objects.unrestricted()
        .filter(path__under=org.path, timebank_rule__isnull=False)
        .exclude(pk=org.pk)
        .order_by("path")
    )


def problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with these settings, by field (empty when they are sane)."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    low, high = values.get("provider_min_age"), values.get("provider_max_age")
    bounds = {"low": AGE_LOW, "high": AGE_HIGH}
    if low is not None and not AGE_LOW <= low <= AGE_HIGH:
        refuse("provider_min_age", _("The youngest helper age must be between %(low)s and %(high)s.") % bounds)
    if high is not None and not AGE_LOW <= high <= AGE_HIGH:
        refuse("provider_max_age", _("The oldest helper age must be between %(low)s and %(high)s.") % bounds)
    elif low is not None and high is not None and high < low:
        refuse("provider_max_age", _("The oldest helper age cannot be below the youngest."))
    priority = values.get("recipient_priority_age")
    if priority is not None and not PRIORITY_LOW <= priority <= AGE_HIGH:
        refuse(
            "recipient_priority_age",
            _("Priority recipients' age must be between %(low)s and %(high)s.")
            % {"low": PRIORITY_LOW, "high": AGE_HIGH},
        )

    unit = values.get("unit")
    if unit is not None and Decimal(unit) not in UNITS:
        refuse("unit", _("The smallest unit must be half an hour or one hour."))
        unit = None
    cap, daily, starter = (values.get(name) for name in HOUR_FIELDS)
    if cap is not None and not Decimal("0") < cap <= MAX_BALANCE_CAP:
        refuse("balance_cap", _("The balance cap must be more than 0 and at most %(max)s hours.") % {"max": "100,000"})
    if daily is not None and not Decimal("0") < daily <= MAX_DAILY_CAP:
        refuse("daily_cap", _("The daily cap must be more than 0 and at most 24 hours."))
    if starter is not None and starter < 0:
        refuse("starter_hours", _("Starter hours cannot be negative."))
    elif starter is not None and cap is not None and starter > cap:
        refuse("starter_hours", _("Starter hours cannot be more than the balance cap."))
    if unit is not None:
        for name in HOUR_FIELDS:
            value = values.get(name)
            if value is not None and name not in errors and value % Decimal(unit) != 0:
                refuse(
                    name,
                    _("Use whole multiples of the smallest unit (%(unit)s hours).") % {"unit": plain(Decimal(unit))},
                )
    return errors


def _require(by: Any, action: str, org: Org) -> None:
    if not can_at(by, Rule, action, org):
        raise PermissionDenied


def _lock(org: Org) -> Org:
    # The org's row serialises every write of its rule (a create races on the one-to-one key otherwise).
    return Org.objects.unrestricted().select_for_update().get(pk=org.pk)


@transaction.atomic
def set_rule(*, by: Any, org: Org, values: Mapping[str, Any], reason: str) -> RuleChange:
    """Give `org` its own rule (or change it): bureau admins of the org or above, with a reason."""
    org = _lock(org)
    own = Rule.objects.unrestricted().select_for_update().filter(org=org).first()
    _require(by, "change" if own else "add", org)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the rule changes (a reason or a document number).")]})
    # Values left out keep the org's own rule's, or (for a first rule) the ones it inherits now.
    before = values_of(own) if own else parent_effective(org).values()
    complete = {name: values.get(name, before[name]) for name in FIELDS}
    errors = problems(complete)
    if errors:
        raise ValidationError(errors)
    changes = {name: [before[name], complete[name]] for name in FIELDS if before[name] != complete[name]}
    if own is not None and not changes:
        return RuleChange(own)
    rule = own or Rule(org=org)
    for name, value in complete.items():
        setattr(rule, name, value)
    rule.save()
    record(
        AuditRecord.Action.UPDATE if own else AuditRecord.Action.CREATE,
        rule,
        object_type="timebank.rule",
        org_path=org.path,
        actor=by,
        changes=changes,
        extra={"reason": reason.strip()[:200], "org": org.code},
    )
    return RuleChange(rule, created=own is None, changes=changes)


@transaction.atomic
def remove_rule(*, by: Any, org: Org, reason: str) -> RuleChange:
    """Drop `org`'s own rule: it inherits its nearest ancestor's again (changing it is the right needed)."""
    org = _lock(org)
    own = Rule.objects.unrestricted().select_for_update().filter(org=org).first()
    if own is None:
        _require(by, "view", org)
        return RuleChange(None)
    _require(by, "change", org)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the rule changes (a reason or a document number).")]})
    inherited = parent_effective(org)
    after = inherited.values()
    changes = {name: [getattr(own, name), after[name]] for name in FIELDS if getattr(own, name) != after[name]}
    record(
        AuditRecord.Action.DELETE,
        own,
        object_type="timebank.rule",
        org_path=org.path,
        actor=by,
        changes=changes,
        extra={
            "reason": reason.strip()[:200],
            "org": org.code,
            "inherits_from": inherited.source.code if inherited.source else "defaults",
        },
    )
    own.delete()
    return RuleChange(None, removed=True, changes=changes)

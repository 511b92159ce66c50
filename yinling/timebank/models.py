"""The time bank's double-entry ledger (时间银行, 银龄互助).

Every transfer is two immutable movements that sum to zero. Balances are the sum of an
account's movements; `Account.balance` caches that sum, updated in the same
transaction under a row lock, and `manage.py verify_timebank` recomputes them all.
Hours are Decimal with two places; the smallest unit a rule allows is 0.5 h.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedQuerySet, path_in, path_q
from yinling.orgs.models import Org

HOURS: dict[str, Any] = {"max_digits": 10, "decimal_places": 2}


class Rule(models.Model):
    """Scheme settings for an org and everything below it (the nearest ancestor's rule applies)."""

    org = models.OneToOneField(Org, on_delete=models.PROTECT, related_name="timebank_rule", verbose_name=_("org"))
    provider_min_age = models.PositiveSmallIntegerField(_("provider minimum age"), default=55)
    provider_max_age = models.PositiveSmallIntegerField(_("provider maximum age"), default=75)
    recipient_priority_age = models.PositiveSmallIntegerField(_("priority recipients from age"), default=80)
    balance_cap = models.DecimalField(_("balance cap (hours)"), default=Decimal("1500"), **HOURS)
    daily_cap = models.DecimalField(_("daily service cap per provider (hours)"), default=Decimal("8"), **HOURS)
    starter_hours = models.DecimalField(_("starter hours"), default=Decimal("0"), **HOURS)
    unit = models.DecimalField(_("smallest unit (hours)"), default=Decimal("0.5"), **HOURS)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("time bank rule")
        verbose_name_plural = _("time bank rules")

    def __str__(self) -> str:
        return f"{self.org} rule"


class Account(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        POOL = "pool", _("Pool")
        # The one account hours are issued from: its balance is minus all hours ever issued,
        # so the sum over every account is always exactly zero.
        ISSUANCE = "issuance", _("Issuance")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    retiree = models.OneToOneField(
        "registry.Retiree", null=True, blank=True, on_delete=models.PROTECT, related_name="timebank_account"
    )
    # The pool's org; for a member, the org that enrolled them (the retiree's org is the live scope).
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="timebank_accounts")
    balance = models.DecimalField(_("balance"), default=Decimal("0"), **HOURS)
    is_provider = models.BooleanField(_("provides services"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("time bank account")
        verbose_name_plural = _("time bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["org"], condition=models.Q(kind="pool"), name="one_pool_per_org"),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind="issuance"), name="one_issuance"),
            # The last line of defence; the services refuse overdrafts with a clear message first.
            models.CheckConstraint(
                condition=models.Q(kind="issuance") | models.Q(balance__gte=0), name="balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.MEMBER and self.retiree_id:
            return f"{self.retiree}"
        if self.kind == self.Kind.POOL and self.org_id:
            return gettext("%(org)s mutual-aid pool") % {"org": self.org}
        return str(self.get_kind_display())


class TransferQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """A transfer has no org of its own: it lies under both its accounts' orgs."""
        return path_q("from_account__org__path", paths) | path_q("to_account__org__path", paths)


class Transfer(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        GIFT = "gift", _("Gift")
        DONATION = "donation", _("Donation")
        GRANT = "grant", _("Grant")
        ISSUANCE = "issuance", _("Issuance")
        REVERSAL = "reversal", _("Reversal")
        CAP_OVERFLOW = "cap_overflow", _("Earnings above the cap")
        STARTER = "starter", _("Starter hours")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    from_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("hours"), **HOURS)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    document_no = models.CharField(_("document number"), max_length=100, blank=True)
    request = models.ForeignKey(
        "timebank.ServiceRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("done by staff on the member's behalf"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TransferQuerySet.as_manager()
    # Seen and acted on with the rights on time bank accounts (view, reverse …).
    scope_permission_model = "timebank.Account"

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_account=models.F("to_account")), name="transfer_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} h"

    def in_subtrees(self, roots: list[str]) -> bool:
        return any(
            account.org_id is not None and path_in(account.org.path, roots)  # type: ignore[union-attr]
            for account in (self.from_account, self.to_account)
        )


class Movement(models.Model):
    """One side of a transfer: +amount on one account, −amount on the other."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="movements")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="movements")
    amount = models.DecimalField(**HOURS)
    balance_after = models.DecimalField(**HOURS)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "account__org__path"
    scope_permission_model = "timebank.Account"

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"], name="movement_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+}"


class ServiceRequest(models.Model):
    """A need posted by (or for) a recipient; a provider accepts, serves, reports; the recipient confirms."""

    class Category(models.TextChoices):
        COMPANY = "company", _("Company and conversation")
        ERRANDS = "errands", _("Shopping and errands")
        MEALS = "meals", _("Meals")
        CLEANING = "cleaning", _("Cleaning")
        MEDICAL_ESCORT = "medical_escort", _("Escort to the doctor")
        HAIRCUT = "haircut", _("Haircut")
        SMARTPHONE = "smartphone", _("Smartphone lessons")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REPORTED = "reported", _("Done, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        NO_SHOW = "no_show", _("No-show")
        DISPUTED = "disputed", _("Disputed")
        RESOLVED = "resolved", _("Resolved by staff")

    recipient = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="needs")
    provider = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="services")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # the recipient's org at posting
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    community = models.CharField(_("community"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    expected_hours = models.DecimalField(_("expected hours"), **HOURS)
    actual_hours = models.DecimalField(_("actual hours"), null=True, blank=True, **HOURS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    paid_by_pool = models.BooleanField(_("paid from the pool"), default=False)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    offer = models.ForeignKey("timebank.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.recipient}"


class Offer(models.Model):
    """A provider's published skill that recipients can book."""

    provider = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="offers")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=ServiceRequest.Category.choices)
    description = models.CharField(_("description"), max_length=300)
    community = models.CharField(_("community"), max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.provider}"

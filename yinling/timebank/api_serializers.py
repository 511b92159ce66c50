"""Serializers of the time bank API: what it answers (hours as decimal strings with two places, people
as {retiree, name}), what it takes as input, and the answers documented in the schema.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yinling.core.widgets import MAX_KEY
from yinling.timebank import services
from yinling.timebank.ledger import Posted, Refused
from yinling.timebank.models import Account, Movement, Offer, ServiceRequest, Transfer

TWO = Decimal("0.01")


HOURS_FIELD: dict[str, Any] = {"max_digits": 10, "decimal_places": 2}


def fmt(value: Decimal | None) -> str | None:
    """Hours as the API writes them: a decimal string with two places."""
    return None if value is None else f"{Decimal(value).quantize(TWO)}"


def choice_text(choices: list[tuple[str, Any]], **kwargs: Any) -> serializers.CharField:
    """A choice as plain text in the schema (drf-spectacular would otherwise name an enum
    "category" or "status", names the registry's and the orgs' choices already use)."""
    from django.core.validators import RegexValidator

    values = [value for value, _label in choices]
    kwargs.setdefault("help_text", "One of: " + ", ".join(values))
    if not kwargs.get("read_only"):
        kwargs["validators"] = [RegexValidator(f"^({'|'.join(values)})$", "not a valid choice")]
    return serializers.CharField(**kwargs)


class TransferSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**HOURS_FIELD)
    kind = choice_text(Transfer.Kind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "kind_label",
            "from_account",
            "to_account",
            "amount",
            "reason",
            "document_no",
            "request",
            "reverses",
            "on_behalf",
            "created_at",
        ]


class MovementSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**HOURS_FIELD)
    balance_after = serializers.DecimalField(**HOURS_FIELD)
    kind = choice_text(Transfer.Kind.choices, source="transfer.kind", read_only=True)
    kind_label = serializers.CharField(source="transfer.get_kind_display")
    reason = serializers.CharField(source="transfer.reason")

    class Meta:
        model = Movement
        fields = ["id", "transfer", "kind", "kind_label", "amount", "balance_after", "reason", "created_at"]


def _person(account: Account | None) -> dict[str, Any] | None:
    if account is None or account.retiree is None:
        return None
    return {"retiree": account.retiree_id, "name": account.retiree.name}


class RequestSerializer(serializers.ModelSerializer):
    status = choice_text(ServiceRequest.Status.choices, read_only=True)
    category = choice_text(ServiceRequest.Category.choices, read_only=True)
    expected_hours = serializers.DecimalField(**HOURS_FIELD)
    actual_hours = serializers.DecimalField(**HOURS_FIELD, allow_null=True)
    category_label = serializers.CharField(source="get_category_display")
    status_label = serializers.CharField(source="get_status_display")
    org = serializers.CharField(source="org.code")
    recipient = serializers.SerializerMethodField()
    provider = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "status",
            "status_label",
            "category",
            "category_label",
            "description",
            "community",
            "org",
            "recipient",
            "provider",
            "starts_at",
            "ends_at",
            "expected_hours",
            "actual_hours",
            "rating",
            "paid_by_pool",
            "note",
            "offer",
            "created_at",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_recipient(self, obj: ServiceRequest) -> dict[str, Any] | None:
        return _person(obj.recipient)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_provider(self, obj: ServiceRequest) -> dict[str, Any] | None:
        return _person(obj.provider)


class OfferSerializer(serializers.ModelSerializer):
    category = choice_text(ServiceRequest.Category.choices, read_only=True)
    category_label = serializers.CharField(source="get_category_display")
    org = serializers.CharField(source="org.code")
    provider = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = ["id", "category", "category_label", "description", "community", "org", "provider", "is_active"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_provider(self, obj: Offer) -> dict[str, Any] | None:
        return _person(obj.provider)


def account_data(account: Account, *, recent: int = 20) -> dict[str, Any]:
    retiree = account.retiree
    assert retiree is not None
    rule = services.rule_for(retiree.org)
    pending = list(services.pending_for(account))
    movements = account.movements.select_related("transfer").order_by("-id")[:recent]
    return {
        "account": account.pk,
        "retiree": retiree.pk,
        "name": retiree.name,
        "org": retiree.org.code,
        "balance": fmt(account.balance),
        "cap": fmt(rule.balance_cap),
        "is_provider": account.is_provider,
        "is_priority": services.is_priority(retiree, rule),
        "joined_at": account.joined_at,
        "pending": [
            {**RequestSerializer(n).data, "role": "recipient" if n.recipient_id == account.pk else "provider"}
            for n in pending
        ],
        "movements": MovementSerializer(movements, many=True).data,
    }


def posted_data(posted: Posted, target: Account) -> dict[str, Any]:
    target.refresh_from_db(fields=["balance"])
    data: dict[str, Any] = {
        "transfer": TransferSerializer(posted.transfer).data,
        "overflow": TransferSerializer(posted.overflow).data if posted.overflow else None,
        "balance": fmt(target.balance),
    }
    if posted.overflow:
        data["message"] = _("The balance cap was reached: the %(hours)s hours above it went to the pool.") % {
            "hours": fmt(posted.overflow.amount)
        }
    return data


def retiree_id(**kwargs: Any) -> serializers.IntegerField:
    """A retiree id in the input: a positive whole number a database key can hold (else 400)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_KEY, **kwargs)


class HoursInput(serializers.Serializer):
    hours = serializers.DecimalField(**HOURS_FIELD)


class IssueInput(HoursInput):
    reason = serializers.CharField(max_length=200, allow_blank=True)
    document_no = serializers.CharField(
        max_length=100,
        help_text="The approval document's number, such as 浙老干〔2026〕1号 (required).",
        error_messages={"required": services.DOCUMENT_REQUIRED, "blank": services.DOCUMENT_REQUIRED},
    )


SAY_HOW = gettext_lazy("Say how the dispute was settled.")


class ResolveInput(serializers.Serializer):
    hours = serializers.DecimalField(**HOURS_FIELD, help_text="Hours to pay the provider: 0 for none.")
    note = serializers.CharField(
        help_text="How the dispute was settled.",
        error_messages={"required": SAY_HOW, "blank": SAY_HOW},
    )

    def validate_hours(self, value: Decimal) -> Decimal:
        try:
            return services.settlement_hours(value, self.context["unit"])
        except Refused as exc:
            raise serializers.ValidationError(exc.message) from exc


class GrantInput(HoursInput):
    to = retiree_id(help_text="The member's retiree id.")
    reason = serializers.CharField(max_length=200, allow_blank=True)


class DonationInput(HoursInput):
    retiree = retiree_id(required=False, help_text="Staff only: the member donating.")


class GiftInput(DonationInput):
    to = retiree_id(help_text="The relative's retiree id (a family contact in the registry).")


class NeedInput(serializers.Serializer):
    recipient = retiree_id(required=False, help_text="Staff, or a relative: the member in need.")
    category = choice_text(ServiceRequest.Category.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expected_hours = serializers.DecimalField(**HOURS_FIELD)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    community = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_starts_at(self, value: dt.datetime) -> dt.datetime:
        problem = services.start_problem(value)  # the same rule as the page's need form
        if problem:
            raise serializers.ValidationError(problem)
        return value


class BookInput(serializers.Serializer):
    recipient = retiree_id(required=False, help_text="Staff, or a relative: the member the help is for.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expected_hours = serializers.DecimalField(**HOURS_FIELD)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class OfferInput(serializers.Serializer):
    provider = retiree_id(required=False, help_text="Staff only: the provider.")
    category = choice_text(ServiceRequest.Category.choices)
    description = serializers.CharField(max_length=300)
    community = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class AccountSchema(serializers.Serializer):
    """What account_data() answers (for the API schema)."""

    account = serializers.IntegerField()
    retiree = serializers.IntegerField()
    name = serializers.CharField()
    org = serializers.CharField()
    balance = serializers.CharField(help_text="Hours, a decimal string such as 12.50.")
    cap = serializers.CharField(help_text="The balance cap in hours; earnings above it go to the pool.")
    is_provider = serializers.BooleanField()
    is_priority = serializers.BooleanField()
    joined_at = serializers.DateTimeField()
    pending = RequestSerializer(many=True, help_text="Unfinished needs and services, each with its role.")
    movements = MovementSerializer(many=True, help_text="The latest movements, newest first.")


class AccountRowSerializer(serializers.Serializer):
    """A row of the staff list of accounts."""

    account = serializers.IntegerField()
    retiree = serializers.IntegerField()
    name = serializers.CharField()
    org = serializers.CharField()
    balance = serializers.CharField(help_text="Hours, a decimal string such as 12.50.")
    is_provider = serializers.BooleanField()


class PoolSerializer(serializers.Serializer):
    org = serializers.CharField(help_text="The pool's org code.")
    balance = serializers.CharField(help_text="Hours, a decimal string.")


class IssueAnswer(serializers.Serializer):
    transfer = TransferSerializer()
    pool = PoolSerializer()


class DonationAnswer(serializers.Serializer):
    transfer = TransferSerializer()
    balance = serializers.CharField(help_text="The member's new balance in hours.")


class GrantAnswer(DonationAnswer):
    overflow = TransferSerializer(
        allow_null=True,
        help_text="Earnings above the receiving member's balance cap, moved to the pool (cap_overflow).",
    )
    message = serializers.CharField(required=False, help_text="Present when there is an overflow.")


class GiftAnswer(GrantAnswer):
    balance = serializers.CharField(help_text="The giver's new balance in hours.")
    recipient_balance = serializers.CharField(help_text="The relative's new balance in hours.")

"""Serializers of care's API: due items, visits (read), and the visit's input. People appear by name and org
only: no ID number, phone or address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from yinling.care.models import Occasion, Visit, VisitKind
from yinling.care.services.selectors import DueItem


class DueItemSerializer(serializers.Serializer):
    plan_id = serializers.IntegerField()
    retiree_id = serializers.IntegerField()
    name = serializers.CharField()
    org = serializers.CharField(help_text="The managing org's code.")
    risk = serializers.ChoiceField(choices=["high", "key", "normal"])
    kind = serializers.ChoiceField(
        choices=["visit", "call", "talk", "event", "birthday"],
        help_text="visit (by the plan's rhythm), call (monthly), talk (every six months), event (a visit due "
        "after a hospital stay or bereavement), birthday (an 80th, 90th or 100th).",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    days_late = serializers.IntegerField()
    worker = serializers.CharField(allow_null=True, help_text="The responsible worker's username.")

    @staticmethod
    def of(item: DueItem) -> dict[str, Any]:
        plan = item.plan
        return {
            "plan_id": plan.pk,
            "retiree_id": plan.retiree_id,
            "name": plan.retiree.name,
            "org": plan.org.code,
            "risk": plan.risk,
            "kind": item.kind,
            "label": item.label,
            "due_on": item.due_on,
            "overdue": item.overdue,
            "days_late": item.days_late,
            "worker": plan.worker.username if plan.worker is not None else None,
        }


class DueListSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    scope = serializers.ChoiceField(choices=["mine", "all"])
    count = serializers.IntegerField()
    results = DueItemSerializer(many=True)


class VisitSerializer(serializers.ModelSerializer):
    retiree_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="retiree.name", read_only=True)
    org = serializers.CharField(source="retiree.org.code", read_only=True)
    recorded_by = serializers.SerializerMethodField()
    campaign_id = serializers.SerializerMethodField()
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "retiree_id",
            "name",
            "org",
            "kind",
            "occasion",
            "visited_on",
            "visitors",
            "given",
            "needs",
            "follow_up",
            "open_case",
            "campaign_id",
            "has_photo",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_recorded_by(self, obj: Visit) -> str | None:
        return obj.recorded_by.username if obj.recorded_by is not None else None

    def get_campaign_id(self, obj: Visit) -> int | None:
        target = getattr(obj, "campaign_target", None)
        return target.campaign_id if target is not None else None

    def get_has_photo(self, obj: Visit) -> bool:
        return bool(obj.photo)


class VisitInput(serializers.Serializer):
    retiree_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    visited_on = serializers.DateField(required=False, help_text="Default: today (Asia/Shanghai).")
    visitors = serializers.CharField(max_length=200)
    given = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    needs = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    open_case = serializers.BooleanField(required=False, default=False)
    occasion = serializers.ChoiceField(choices=Occasion.choices, required=False, default=Occasion.ROUTINE)
    campaign_target_id = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="The festival campaign's target this visit is for."
    )

    def validate_visited_on(self, value: dt.date) -> dt.date:
        if value.year < 1900:
            raise serializers.ValidationError("Enter a real date.")
        return value


class VisitCreated(serializers.Serializer):
    id = serializers.IntegerField()
    retiree_id = serializers.IntegerField()
    kind = serializers.CharField()
    visited_on = serializers.DateField()
    next_due_on = serializers.DateField(help_text="When the person's plan has something due next.")

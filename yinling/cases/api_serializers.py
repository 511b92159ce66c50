"""Serializers of the services API (`api.py`): answers and inputs, field names as the issue's contract."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yinling.cases.models import Case, CaseEvent, ServiceItem


class ServicesFieldSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    type = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    choices = serializers.ListField(child=serializers.CharField())


class ServicesStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    role = serializers.CharField()
    level = serializers.CharField()


class ServicesItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    fields = serializers.SerializerMethodField(method_name="fields_of")  # type: ignore[assignment]
    steps = serializers.SerializerMethodField()
    limit_days = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = ServiceItem
        fields = ["code", "name", "fields", "steps", "limit_days", "documents"]

    def _definition(self, obj: ServiceItem) -> dict[str, Any]:
        return obj.current.definition if obj.current else {}

    def fields_of(self, obj: ServiceItem) -> list[dict[str, Any]]:
        keys = ("name", "label", "type", "required", "choices")
        return [{k: f.get(k) for k in keys} for f in self._definition(obj).get("fields", [])]

    def get_steps(self, obj: ServiceItem) -> list[dict[str, Any]]:
        return list(self._definition(obj).get("steps", []))

    def get_limit_days(self, obj: ServiceItem) -> int:
        return int(self._definition(obj).get("limit_days", 0))

    def get_documents(self, obj: ServiceItem) -> list[str]:
        return list(self._definition(obj).get("documents", []))


class ServicesEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    step = serializers.CharField(source="step_name")
    by = serializers.CharField(source="by_name")

    class Meta:
        model = CaseEvent
        fields = ["step", "action", "by", "at", "comment"]


class ServicesCaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    item_version = serializers.IntegerField(source="item_version.number")
    retiree_id = serializers.IntegerField()
    step = serializers.SerializerMethodField()
    step_index = serializers.IntegerField(source="step")
    waiting_at = serializers.CharField(source="step_org.code", allow_null=True, default=None)

    class Meta:
        model = Case
        fields = [
            "id",
            "item",
            "item_name",
            "item_version",
            "retiree_id",
            "status",
            "step",
            "step_index",
            "waiting_at",
            "due_on",
            "on_behalf",
            "escalated",
            "version",
            "filed_at",
            "closed_at",
        ]

    def get_step(self, obj: Case) -> str:
        return obj.step_name if obj.is_open else ""


class ServicesCaseDetailSerializer(ServicesCaseSerializer):
    data = serializers.JSONField()  # type: ignore[assignment]
    history = ServicesEventSerializer(many=True, source="events")

    class Meta(ServicesCaseSerializer.Meta):
        fields = [*ServicesCaseSerializer.Meta.fields, "data", "history"]


class ServicesFileInput(serializers.Serializer):  # type: ignore[type-arg]
    item = serializers.CharField(max_length=40)
    data = serializers.JSONField(required=False, default=dict)  # type: ignore[assignment]
    retiree_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ServicesDecideInput(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.ChoiceField(choices=["approve", "return", "reject"])
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ServicesResubmitInput(serializers.Serializer):  # type: ignore[type-arg]
    data = serializers.JSONField()  # type: ignore[assignment]
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ServicesFiledAnswer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    status = serializers.CharField()
    step = serializers.CharField()
    due_on = serializers.DateField()


class ServicesStatusAnswer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.CharField()
    step = serializers.CharField()

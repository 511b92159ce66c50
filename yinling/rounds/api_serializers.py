"""Serializers of /api/v1/care/rounds/."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from yinling.core.widgets import MAX_KEY
from yinling.rounds.models import EntryStatus, Round, RoundEntry, Source
from yinling.rounds.services.entries import MAX_NEEDS


class RoundSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Round
        fields = ["id", "title", "org", "org_name", "status", "opened_at", "closed_at", "total"]
        read_only_fields = fields


class RoundProgressSerializer(RoundSerializer):
    """A round with the counts in the caller's scope: total, by_status and not_reached."""

    by_status = serializers.SerializerMethodField()
    not_reached = serializers.SerializerMethodField()
    report = serializers.CharField(read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "by_status", "not_reached", "report"]
        read_only_fields = fields

    def to_representation(self, instance: Round) -> dict[str, Any]:
        data = super().to_representation(instance)
        progress = self.context["progress"]
        data["total"] = progress["total"]  # the people the caller may see (all of them for the round's own org)
        return data

    def get_by_status(self, obj: Round) -> dict[str, int]:
        return dict(self.context["progress"]["by_status"])

    def get_not_reached(self, obj: Round) -> int:
        return int(self.context["progress"]["not_reached"])


class OpenInput(serializers.Serializer):  # type: ignore[type-arg]
    org = serializers.CharField(max_length=32, help_text="The org's code: the round covers its whole subtree.")
    title = serializers.CharField(max_length=100)


class EntryInput(serializers.Serializer):  # type: ignore[type-arg]
    retiree_id = serializers.IntegerField(min_value=1, max_value=MAX_KEY)
    status = serializers.ChoiceField(choices=[EntryStatus.SAFE, EntryStatus.NEEDS_HELP, EntryStatus.UNREACHABLE])
    needs = serializers.CharField(max_length=MAX_NEEDS, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source", as the contract says
        choices=[Source.CALL, Source.VISIT],
        required=False,
        help_text="Staff: how the person was reached (call by default). A retiree's own answer and a relative's are "
        "recorded as such whatever is sent.",
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="The entry's version as read: 409 stale if someone recorded an answer since.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("status") == EntryStatus.NEEDS_HELP and not attrs.get("needs", "").strip():
            raise serializers.ValidationError({"needs": [_("Say what help is needed.")]})
        return attrs


class EntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    retiree_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="retiree.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = RoundEntry
        fields = ["id", "retiree_id", "name", "org", "status", "needs", "source", "version", "recorded_at"]
        read_only_fields = fields


class CloseInput(serializers.Serializer):  # type: ignore[type-arg]
    report = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

"""Serializers of /api/v1/volunteering/activities/ (hours as decimal strings, times in ISO 8601)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from yinling.core.api_fields import OfficeDateTime
from yinling.volunteering.models import Activity


class ActivitySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    signed_up = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = (
            "id",
            "title",
            "org",
            "org_name",
            "team",
            "kind",
            "description",
            "place",
            "latitude",
            "longitude",
            "start",
            "end",
            "capacity",
            "signed_up",
            "open_to",
            "signup_deadline",
            "walk_in",
            "checkin_opens_minutes",
            "is_cancelled",
        )
        read_only_fields = fields


class ActivityInput(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=100)
    org = serializers.CharField(max_length=32, help_text="The org's code.")
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    kind = serializers.ChoiceField(choices=Activity.Kind.choices, default=Activity.Kind.SERVICE)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    start = OfficeDateTime()
    end = OfficeDateTime()
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000)
    open_to = serializers.ChoiceField(choices=Activity.OpenTo.choices, default=Activity.OpenTo.SCOPE)
    signup_deadline = OfficeDateTime(required=False, allow_null=True)
    walk_in = serializers.BooleanField(required=False, default=False)
    checkin_opens_minutes = serializers.IntegerField(required=False, min_value=0, max_value=240, default=30)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must be later than the start.")]})
        return attrs


class CreatedAnswer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()


class SignupInput(serializers.Serializer):  # type: ignore[type-arg]
    retiree = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Staff: the retiree signed up (代办). A member: a relative recorded in the registry (or empty).",
    )


class SignupAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=("signed_up", "waitlisted", "cancelled"))
    position = serializers.IntegerField(required=False)


class CodeAnswer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    valid_until = serializers.DateTimeField()


class CheckinInput(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=20)
    client_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="The app's install id (hashed, never kept)."
    )


class CheckinAnswer(serializers.Serializer):  # type: ignore[type-arg]
    checked_in_at = serializers.DateTimeField()


class CheckoutAnswer(serializers.Serializer):  # type: ignore[type-arg]
    credited_hours = serializers.CharField()

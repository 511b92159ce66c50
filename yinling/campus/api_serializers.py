"""Serializers of the campus API (`api.py`): answers and inputs, field names as the issue's contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from yinling.campus.models import Category, Section, Term
from yinling.campus.services import rules
from yinling.core.api_fields import OfficeDate, OfficeDateTime


class CampusSlotSerializer(serializers.Serializer):  # type: ignore[type-arg]
    weekday = serializers.IntegerField(min_value=1, max_value=7)
    start = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S", "%H点%M分", "%H点"])
    end = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S", "%H点%M分", "%H点"])


class CampusSectionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    course = serializers.SerializerMethodField()
    term = serializers.SerializerMethodField()
    school = serializers.CharField(source="term.school.name")
    site = serializers.SerializerMethodField()
    seats_left = serializers.IntegerField(read_only=True)
    fee = serializers.DecimalField(max_digits=8, decimal_places=2)
    slots = CampusSlotSerializer(many=True, read_only=True)
    open = serializers.SerializerMethodField()
    live_url = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = [
            "id",
            "course",
            "term",
            "school",
            "site",
            "name",
            "teacher",
            "room",
            "capacity",
            "seats_left",
            "fee",
            "waitlist",
            "age_min",
            "age_max",
            "slots",
            "open",
            "live_url",
        ]

    def get_course(self, obj: Section) -> dict[str, Any]:
        return {"id": obj.course_id, "name": obj.course.name, "category": obj.course.category}

    def get_term(self, obj: Section) -> dict[str, Any]:
        t = obj.term
        return {"id": t.pk, "name": t.name, "mode": t.mode, "starts": t.starts, "ends": t.ends}

    def get_site(self, obj: Section) -> dict[str, Any]:
        s = obj.site
        return {"id": s.pk, "code": s.org.code, "name": s.name, "address": s.address}

    def get_live_url(self, obj: Section) -> str:
        """The live class's link is for its students (and staff): a stranger browsing the catalogue gets ""."""
        shown = self.context.get("live_sections")
        return obj.live_url if shown is None or obj.pk in shown else ""

    def get_open(self, obj: Section) -> bool:
        return rules.window_open(obj.term)


class CampusEnrolInput(serializers.Serializer):  # type: ignore[type-arg]
    retiree_id = serializers.CharField(required=False, allow_blank=True, help_text="staff, or family: whom for")
    rank = serializers.IntegerField(required=False, min_value=1, max_value=10, help_text="lottery: 1 = first choice")


class CampusEnrolAnswer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=["enrolled", "waitlisted", "applied", "offered"])
    position = serializers.IntegerField(required=False)


class CampusStatusAnswer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.CharField()


class CampusMeEnrolment(serializers.Serializer):  # type: ignore[type-arg]
    section = serializers.IntegerField()
    status = serializers.CharField()
    position = serializers.IntegerField(allow_null=True)
    course = serializers.CharField()
    term = serializers.CharField()
    offered_until = serializers.DateTimeField(allow_null=True)
    fee_due_on = serializers.DateField(allow_null=True)


class CampusMeAnswer(serializers.Serializer):  # type: ignore[type-arg]
    retiree_id = serializers.IntegerField()
    enrolments = CampusMeEnrolment(many=True)


class CampusTermInput(serializers.Serializer):  # type: ignore[type-arg]
    school = serializers.CharField(help_text="the school's org code")
    name = serializers.CharField(max_length=60)
    starts = OfficeDate()
    ends = OfficeDate()
    mode = serializers.ChoiceField(choices=Term.Mode.choices, default=Term.Mode.FIRST_COME)
    apply_from = OfficeDateTime()
    apply_until = OfficeDateTime()
    limit = serializers.IntegerField(min_value=1, max_value=20, default=2)
    choices = serializers.IntegerField(min_value=1, max_value=10, default=3)
    fees_due = OfficeDate(required=False, allow_null=True)
    offer_hours = serializers.IntegerField(min_value=1, max_value=720, default=48)


class CampusCourseInput(serializers.Serializer):  # type: ignore[type-arg]
    school = serializers.CharField(help_text="the school's org code")
    name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CampusSectionInput(serializers.Serializer):  # type: ignore[type-arg]
    course = serializers.IntegerField(min_value=1)
    term = serializers.IntegerField(min_value=1)
    site = serializers.CharField(help_text="the site's org code")
    teacher = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    room = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    slots = CampusSlotSerializer(many=True, allow_empty=False)
    fee = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    waitlist = serializers.BooleanField(default=True)
    age_min = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True)
    age_max = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True)
    live_url = serializers.URLField(required=False, allow_blank=True, default="")


class CampusCreatedAnswer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()


class CampusLotteryResult(serializers.Serializer):  # type: ignore[type-arg]
    section = serializers.IntegerField()
    applicant = serializers.CharField()
    status = serializers.ChoiceField(choices=["enrolled", "waitlisted"])
    position = serializers.IntegerField(allow_null=True)


class CampusLotteryAnswer(serializers.Serializer):  # type: ignore[type-arg]
    term = serializers.IntegerField()
    seed_sha256 = serializers.CharField()
    seed = serializers.CharField(allow_null=True)
    drawn_at = serializers.DateTimeField(allow_null=True)
    algorithm = serializers.CharField()
    results_sha256 = serializers.CharField(allow_null=True)
    results = CampusLotteryResult(many=True)


class CampusDrawAnswer(serializers.Serializer):  # type: ignore[type-arg]
    seed = serializers.CharField()
    results_sha256 = serializers.CharField()
    enrolled = serializers.IntegerField()
    waitlisted = serializers.IntegerField()

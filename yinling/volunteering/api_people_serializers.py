"""Serializers of the people half's API: volunteers (masked as the registry's list), teams, the volunteer's own
summary, and the registration's input."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yinling.volunteering.models import Membership, Skill, Team, Volunteer


def fmt(value: Any) -> str:
    return f"{value:.2f}"


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer as staff read it: the person masked (birth year, masked phone), never an ID number."""

    retiree_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="retiree.name", read_only=True)
    org = serializers.CharField(source="retiree.org.code", read_only=True)
    birth_year = serializers.SerializerMethodField()
    phone = serializers.CharField(source="retiree.phone_masked", read_only=True)
    skills = serializers.SerializerMethodField()
    credited_hours = serializers.SerializerMethodField()
    honour_hours = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "retiree_id",
            "name",
            "org",
            "birth_year",
            "phone",
            "skills",
            "specialities",
            "availability",
            "service_areas",
            "insurance",
            "insurance_expires",
            "returning_talent",
            "home_village",
            "credited_hours",
            "honour_hours",
            "stars",
            "is_active",
            "registered_at",
        ]
        read_only_fields = fields

    def get_birth_year(self, obj: Volunteer) -> int:
        return obj.retiree.birth_date.year

    def get_skills(self, obj: Volunteer) -> list[str]:
        return obj.skill_list

    def get_credited_hours(self, obj: Volunteer) -> str:
        return fmt(obj.credited_hours)

    def get_honour_hours(self, obj: Volunteer) -> str:
        return fmt(obj.honour_hours)


class RegisterInput(serializers.Serializer):
    retiree_id = serializers.IntegerField(required=False, min_value=1, help_text="Staff only: whom to register.")
    skills = serializers.ListField(child=serializers.ChoiceField(choices=Skill.choices), required=False, default=list)
    specialities = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    availability = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    service_areas = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    insurance = serializers.ChoiceField(choices=Volunteer.Insurance.choices, required=False, default="none")
    insurance_expires = serializers.DateField(required=False, allow_null=True, default=None)
    returning_talent = serializers.BooleanField(required=False, default=False)
    home_village = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class TeamSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "org", "parent_id", "description", "members"]
        read_only_fields = fields

    def get_members(self, obj: Team) -> int:
        count = getattr(obj, "member_count", None)
        if count is None:
            count = obj.memberships.filter(status=Membership.Status.ACTIVE).count()
        return int(count)


class MeTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    status = serializers.CharField()


class VolunteerMeSerializer(serializers.Serializer):
    retiree_id = serializers.IntegerField()
    credited_hours = serializers.CharField()
    honour_hours = serializers.CharField()
    stars = serializers.IntegerField()
    teams = MeTeamSerializer(many=True)

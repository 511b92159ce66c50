"""List filters of the people half's staff pages (and the API's volunteer list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.core.filtering import YearFilter, YesNoFilter
from yinling.core.scoping import orgs_where
from yinling.orgs.lookups import OrgSubtreeFilter
from yinling.orgs.models import Org
from yinling.volunteering.models import Certificate, Nomination, Pairing, Skill, Story, Target, Team, Volunteer


def _orgs_for(model: type[Model]) -> Callable[[Any], QuerySet[Org]]:
    def orgs(request: Any) -> QuerySet[Org]:
        if request is None:
            return Org.objects.unrestricted()
        return orgs_where(request.user, model, "view")

    return orgs


def org_filter(model: type[Model], path_field: str = "org__path") -> OrgSubtreeFilter:
    """An org, chosen with the search picker by code, and everything below it."""
    params = {"for": model._meta.label_lower, "action": "view"}
    return OrgSubtreeFilter(queryset=_orgs_for(model), params=params, path_field=path_field)


def name_q(prefix: str, value: str) -> Q:
    value = value.strip()
    if value.isascii() and value.isalpha():
        return Q(**{f"{prefix}name_pinyin__startswith": value.lower()}) | Q(
            **{f"{prefix}name_initials__startswith": value.lower()}
        )
    return Q(**{f"{prefix}name__startswith": value})


INSURANCE = [("insured", _("Insured")), ("expired", _("Insurance expired")), ("none", _("Not insured"))]


class VolunteerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    org = org_filter(Volunteer, "retiree__org__path")
    skill = django_filters.ChoiceFilter(label=_("skill"), choices=Skill.choices, method="filter_skill")
    stars = django_filters.ChoiceFilter(
        label=_("stars at least"), choices=[(str(n), "★" * n) for n in range(1, 6)], method="filter_stars"
    )
    insurance = django_filters.ChoiceFilter(label=_("insurance"), choices=INSURANCE, method="filter_insurance")
    returning_talent = YesNoFilter(label=_("银雁返乡 talent"))
    is_active = YesNoFilter(label=_("active"))

    class Meta:
        model = Volunteer
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Volunteer], name: str, value: str) -> QuerySet[Volunteer]:
        return qs.filter(name_q("retiree__", value)) if value.strip() else qs

    def filter_skill(self, qs: QuerySet[Volunteer], name: str, value: str) -> QuerySet[Volunteer]:
        return qs.filter(skills__contains=f"|{value}|")

    def filter_stars(self, qs: QuerySet[Volunteer], name: str, value: str) -> QuerySet[Volunteer]:
        return qs.filter(stars__gte=int(value))

    def filter_insurance(self, qs: QuerySet[Volunteer], name: str, value: str) -> QuerySet[Volunteer]:
        today = timezone.localdate()
        insured = Q(insurance=Volunteer.Insurance.INSURED)
        if value == "insured":
            return qs.filter(insured & (Q(insurance_expires__isnull=True) | Q(insurance_expires__gte=today)))
        if value == "expired":
            return qs.filter(insured, insurance_expires__lt=today)
        return qs.filter(insurance=Volunteer.Insurance.NONE)


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), field_name="name", lookup_expr="icontains")
    org = org_filter(Team)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Team.Kind.choices)

    class Meta:
        model = Team
        fields: list[str] = []


class PairingFilterSet(django_filters.FilterSet):
    org = org_filter(Pairing, "team__org__path")
    village = django_filters.CharFilter(label=_("village"), lookup_expr="icontains")
    current = YesNoFilter(label=_("current"), field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = Pairing
        fields: list[str] = []


class StoryFilterSet(django_filters.FilterSet):
    org = org_filter(Story)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Story.Status.choices)

    class Meta:
        model = Story
        fields: list[str] = []


class NominationFilterSet(django_filters.FilterSet):
    org = org_filter(Nomination)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Nomination.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Nomination.Status.choices)
    year = YearFilter(label=_("year"))

    class Meta:
        model = Nomination
        fields: list[str] = []


class CertificateFilterSet(django_filters.FilterSet):
    org = org_filter(Certificate)
    is_revoked = YesNoFilter(label=_("revoked"))

    class Meta:
        model = Certificate
        fields: list[str] = []


class TargetFilterSet(django_filters.FilterSet):
    org = org_filter(Target)
    year = YearFilter(label=_("year"))

    class Meta:
        model = Target
        fields: list[str] = []

"""The desk's list filters beyond the section list's (filters.py): schools, sites, terms, courses,
enrolments (by term, section, status) and pledges."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.campus.models import Category, Course, Enrolment, SafetyPledge, School, Site, Term
from yinling.core.filtering import IdFilter


class _NameFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        value = value.strip()
        return qs.filter(name__contains=value) if value else qs


class SchoolFilterSet(_NameFilterSet):
    class Meta:
        model = School
        fields: list[str] = []


class SiteFilterSet(_NameFilterSet):
    school = IdFilter(label=_("school"), field_name="school_id")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Site.Kind.choices)

    class Meta:
        model = Site
        fields: list[str] = []


class TermFilterSet(_NameFilterSet):
    school = IdFilter(label=_("school"), field_name="school_id")
    mode = django_filters.ChoiceFilter(label=_("enrolment"), choices=Term.Mode.choices)

    class Meta:
        model = Term
        fields: list[str] = []


class CourseFilterSet(_NameFilterSet):
    school = IdFilter(label=_("school"), field_name="school_id")
    category = django_filters.ChoiceFilter(label=_("category"), choices=Category.choices)

    class Meta:
        model = Course
        fields: list[str] = []


def _terms(request: Any) -> QuerySet[Term]:
    user = getattr(request, "user", None)
    return Term.objects.restrict(user, "view").select_related("school").order_by("-starts", "pk")


class EnrolmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    # The terms in the user's area, by name (a county has a handful a year); the class by its id (from its page).
    term = django_filters.ModelChoiceFilter(label=_("term"), queryset=_terms)
    section = IdFilter(label=_("class"), field_name="section_id")
    status = django_filters.ChoiceFilter(label=_("status"), choices=Enrolment.Status.choices)

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Enrolment], name: str, value: str) -> QuerySet[Enrolment]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(retiree__name__contains=value) | Q(retiree__name_pinyin__startswith=value.lower()))


class PledgeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    school = IdFilter(label=_("school"), field_name="school_id")

    class Meta:
        model = SafetyPledge
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[SafetyPledge], name: str, value: str) -> QuerySet[SafetyPledge]:
        value = value.strip()
        return qs.filter(retiree__name__contains=value) if value else qs

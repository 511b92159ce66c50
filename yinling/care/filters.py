"""Filters of care's lists (visits, plans, 一人一策, campaigns): `org` is a code and everything below it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.care.models import Campaign, Risk, VisitKind
from yinling.orgs.models import Org

YES_NO = (("1", _("Yes")), ("0", _("No")))


def under(qs: QuerySet[Any], field: str, value: str) -> QuerySet[Any]:
    code = (value or "").strip()
    if not code:
        return qs
    # Narrows rows already scoped by the caller: finding the org by code cannot widen them.
    org = Org.objects.unrestricted().filter(code=code).only("path").first()
    return qs.filter(**{f"{field}__under": org.path}) if org is not None else qs.none()


class VisitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    org = django_filters.CharFilter(label=_("Org code (and below)"), method="filter_org")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=VisitKind.choices)
    date_from = django_filters.DateFilter(label=_("from"), field_name="visited_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("to"), field_name="visited_on", lookup_expr="lte")
    mine = django_filters.ChoiceFilter(label=_("recorded by me"), choices=YES_NO, method="filter_mine")

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return qs.filter(retiree__name__startswith=value) if value else qs

    def filter_org(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return under(qs, "retiree__org__path", value)

    def filter_mine(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        if value == "1":
            return qs.filter(recorded_by=user)
        return qs.exclude(recorded_by=user) if value == "0" else qs


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    org = django_filters.CharFilter(label=_("Org code (and below)"), method="filter_org")
    risk = django_filters.ChoiceFilter(label=_("risk level"), choices=Risk.choices)
    overdue = django_filters.ChoiceFilter(label=_("visit overdue"), choices=YES_NO, method="filter_overdue")
    mine = django_filters.ChoiceFilter(label=_("my people"), choices=YES_NO, method="filter_mine")

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return qs.filter(retiree__name__startswith=value) if value else qs

    def filter_org(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return under(qs, "org__path", value)

    def filter_overdue(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "1":
            return qs.filter(next_visit_on__lt=today)
        return qs.filter(next_visit_on__gte=today) if value == "0" else qs

    def filter_mine(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        if value == "1":
            return qs.filter(worker=user)
        return qs.exclude(worker=user) if value == "0" else qs


class PolicyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    org = django_filters.CharFilter(label=_("Org code (and below)"), method="filter_org")
    overdue = django_filters.ChoiceFilter(label=_("review overdue"), choices=YES_NO, method="filter_overdue")

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return qs.filter(retiree__name__startswith=value) if value else qs

    def filter_org(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return under(qs, "retiree__org__path", value)

    def filter_overdue(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "1":
            return qs.filter(next_review_on__lt=today)
        return qs.filter(next_review_on__gte=today) if value == "0" else qs


class CampaignFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Campaign.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Campaign.Status.choices)

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return qs.filter(Q(name__contains=value)) if value else qs


class TargetFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(label=_("Org code (and below)"), method="filter_org")
    done = django_filters.ChoiceFilter(label=_("visited"), choices=YES_NO, method="filter_done")
    mine = django_filters.ChoiceFilter(label=_("assigned to me"), choices=YES_NO, method="filter_mine")

    def filter_org(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return under(qs, "org__path", value)

    def filter_done(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "1":
            return qs.filter(done_on__isnull=False)
        return qs.filter(done_on__isnull=True) if value == "0" else qs

    def filter_mine(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        if value == "1":
            return qs.filter(worker=user)
        return qs.exclude(worker=user) if value == "0" else qs

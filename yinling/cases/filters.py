"""List filters of the staff case list and the API's case list (the same FilterSet: a filter exists on both)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.cases.models import Case, ServiceItem
from yinling.core.scoping import orgs_where
from yinling.orgs.lookups import OrgSubtreeFilter
from yinling.orgs.models import Org


def _orgs(request: Any) -> QuerySet[Org]:
    if request is None:
        return Org.objects.unrestricted()
    return orgs_where(request.user, Case, "view")


def _items(request: Any) -> QuerySet[ServiceItem]:
    if request is None:
        return ServiceItem.objects.unrestricted()
    # Items defined in the user's scope or above it (a province item is offered everywhere below).
    return ServiceItem.objects.unrestricted().filter(cases__in=Case.objects.restrict(request.user, "view")).distinct()


TIMING = [("overdue", _("Past its time limit")), ("near", _("Due within 3 days")), ("escalated", _("Escalated"))]


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("applicant's name"), method="filter_q")
    item = django_filters.ModelChoiceFilter(label=_("item"), queryset=_items, to_field_name="code", field_name="item")
    status = django_filters.ChoiceFilter(label=_("status"), choices=Case.Status.choices)
    org = OrgSubtreeFilter(queryset=_orgs, params={"for": "cases.case", "action": "view"}, path_field="org__path")
    timing = django_filters.ChoiceFilter(label=_("time limit"), choices=TIMING, method="filter_timing")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return qs
        if value.isascii() and value.isalpha():
            return qs.filter(retiree__name_pinyin__startswith=value.lower())
        return qs.filter(retiree__name__startswith=value)

    def filter_timing(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        today = timezone.localdate()
        open_ = Q(status=Case.Status.IN_PROGRESS)
        if value == "overdue":
            return qs.filter(open_, due_on__lt=today)
        if value == "near":
            return qs.filter(open_, due_on__gte=today, due_on__lte=today + dt.timedelta(days=3))
        if value == "escalated":
            return qs.filter(open_, escalated=True)
        return qs


class ItemFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("name"), lookup_expr="contains")
    is_active = django_filters.BooleanFilter(label=_("offered now"))

    class Meta:
        model = ServiceItem
        fields: list[str] = []

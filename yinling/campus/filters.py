"""The section list's filters: the pages, the export and the API share them
(`?term=` a term id, `site=` a site id or its org code, `course=` a course id, `category=`, `open=1`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.campus.models import Category, Section
from yinling.campus.services.selectors import open_q
from yinling.core.filtering import IdFilter


class SectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("course or teacher"), method="filter_q")
    term = IdFilter(label=_("term"), field_name="term_id")
    site = django_filters.CharFilter(label=_("site"), method="filter_site")
    course = IdFilter(label=_("course"), field_name="course_id")
    category = django_filters.ChoiceFilter(label=_("category"), choices=Category.choices, field_name="course__category")
    open = django_filters.ChoiceFilter(
        label=_("taking requests"), choices=(("1", _("Yes")), ("0", _("No"))), method="filter_open"
    )

    class Meta:
        model = Section
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Section], name: str, value: str) -> QuerySet[Section]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(course__name__contains=value) | Q(teacher__contains=value) | Q(name__contains=value))

    def filter_site(self, qs: QuerySet[Section], name: str, value: str) -> QuerySet[Section]:
        value = value.strip()
        if not value:
            return qs
        if value.isdigit() and len(value) < 19:
            return qs.filter(Q(site_id=int(value)) | Q(site__org__code=value))
        return qs.filter(site__org__code=value)

    def filter_open(self, qs: QuerySet[Section], name: str, value: Any) -> QuerySet[Section]:
        if value == "1":
            return qs.filter(open_q())
        if value == "0":
            return qs.exclude(open_q())
        return qs

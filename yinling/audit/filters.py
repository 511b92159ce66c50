from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.audit.models import AuditRecord


class AuditFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("User"), field_name="actor_username", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(label=_("Kind"), choices=AuditRecord.Action.choices)
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="iexact")
    object_id = django_filters.CharFilter(label=_("Object id"))
    request_id = django_filters.CharFilter(label=_("Request"))
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditRecord
        fields = ["actor", "action", "object_type", "object_id", "request_id", "since", "until"]

    @property
    def qs(self) -> QuerySet[AuditRecord]:
        return super().qs

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.orgs.lookups import OrgSubtreeFilter
from yinling.orgs.models import Org


def _viewable(request: Any) -> QuerySet[Org]:
    return Org.objects.restrict(getattr(request, "user", None), "view")


class OrgFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # Several kinds at once: the home page's "Bureaus in my scope" links to the three bureau kinds.
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=Org.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    under = OrgSubtreeFilter(label=_("Under org"), path_field="path", queryset=_viewable)

    class Meta:
        model = Org
        fields = ["q", "kind", "under"]

    def search(self, qs: QuerySet[Org], name: str, value: str) -> QuerySet[Org]:
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.orgs.models import Org


class OrgFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Org.Kind.choices)
    under = django_filters.CharFilter(label=_("Under org code"), method="filter_under")

    class Meta:
        model = Org
        fields = ["q", "kind", "under"]

    def search(self, qs: QuerySet[Org], name: str, value: str) -> QuerySet[Org]:
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_under(self, qs: QuerySet[Org], name: str, value: str) -> QuerySet[Org]:
        # An org the user can see at all; any other code filters to nothing.
        root = (
            Org.objects.restrict(getattr(self.request, "user", None), None)
            .filter(code=value)
            .values_list("path", flat=True)
            .first()
        )
        return qs.filter(path__under=root) if root else qs.none()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

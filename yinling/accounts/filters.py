from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.accounts.models import User
from yinling.accounts.roles import role_choices
from yinling.core.filtering import YesNoFilter
from yinling.orgs.models import Org


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=role_choices, method="filter_role")
    under = django_filters.CharFilter(label=_("Under org code"), method="filter_under")
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "under", "is_active"]

    def search(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return qs.filter(Q(username__icontains=value) | Q(full_name__icontains=value))

    def filter_role(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return qs.filter(assignments__role=value).distinct()

    def filter_under(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        # An org the user can see at all; any other code filters to nothing.
        root = (
            Org.objects.restrict(getattr(self.request, "user", None), None)
            .filter(code=value)
            .values_list("path", flat=True)
            .first()
        )
        return qs.filter(org__path__under=root) if root else qs.none()

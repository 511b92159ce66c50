"""List filters for the time bank's staff pages, exports and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.orgs.models import Org
from yinling.timebank.models import Account, Offer, ServiceRequest, Transfer

BUREAU_KINDS = (Org.Kind.PROVINCE_BUREAU, Org.Kind.CITY_BUREAU, Org.Kind.COUNTY_BUREAU)


def bureaus_for(user: Any, perm: str) -> QuerySet[Org]:
    """Bureaus in the user's scope, for the org filter (units are found through their bureau)."""
    return Org.objects.restrict(user, perm=perm).filter(kind__in=BUREAU_KINDS, is_active=True).order_by("path")


def _name_q(prefix: str, value: str) -> Q:
    value = value.strip()
    if not value:
        return Q()
    if value.isascii() and value.isalpha():
        return Q(**{f"{prefix}name_pinyin__startswith": value.lower()}) | Q(
            **{f"{prefix}name_initials__startswith": value.lower()}
        )
    return Q(**{f"{prefix}name__startswith": value})


class OrgSubtreeFilter(django_filters.ModelChoiceFilter):
    """An org and everything below it."""

    def __init__(self, *args: Any, path_field: str = "org__path", **kwargs: Any) -> None:
        self.path_field = path_field
        kwargs.setdefault("queryset", Org.objects.none())
        kwargs.setdefault("label", _("org"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Org | None) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__startswith": value.path})


class _ScopedOrgs(django_filters.FilterSet):
    org_perm = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = kwargs.get("request") or self.request
        user = getattr(request, "user", None)
        if isinstance(self.filters.get("org"), django_filters.ModelChoiceFilter):
            self.filters["org"].queryset = bureaus_for(user, self.org_perm)  # type: ignore[attr-defined]


class RequestFilterSet(_ScopedOrgs):
    org_perm = "timebank.view_servicerequest"
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("status"), choices=ServiceRequest.Status.choices)
    category = django_filters.ChoiceFilter(label=_("category"), choices=ServiceRequest.Category.choices)
    org = OrgSubtreeFilter()
    since = django_filters.DateFilter(label=_("from date"), field_name="starts_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("to date"), field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        q = _name_q("recipient__retiree__", value) | _name_q("provider__retiree__", value)
        return qs.filter(q) if value.strip() else qs


class RequestApiFilterSet(RequestFilterSet):
    """The API's filters: as the staff page's, but `org` is an org code, as everywhere in the API."""

    org = django_filters.CharFilter(label=_("Org code (and below)"), method="filter_org")

    def filter_org(self, qs: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        """That org's subtree, within the caller's scope; an unknown code (or anything else) gives nothing."""
        path = Org.objects.unrestricted().filter(code=value.strip()).values_list("path", flat=True).first()
        return qs.filter(org__path__startswith=path) if path else qs.none()


class MemberFilterSet(_ScopedOrgs):
    org_perm = "timebank.view_account"
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    provider = django_filters.BooleanFilter(label=_("provides services"), field_name="is_provider")
    org = OrgSubtreeFilter()

    class Meta:
        model = Account
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return qs.filter(_name_q("retiree__", value)) if value.strip() else qs


class TransferFilterSet(_ScopedOrgs):
    org_perm = "timebank.view_account"
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Transfer.Kind.choices)
    org = django_filters.ModelChoiceFilter(label=_("org"), queryset=Org.objects.none(), method="filter_org")
    since = django_filters.DateFilter(label=_("from date"), field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("to date"), field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Transfer
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Transfer], name: str, value: str) -> QuerySet[Transfer]:
        if not value.strip():
            return qs
        return qs.filter(_name_q("from_account__retiree__", value) | _name_q("to_account__retiree__", value))

    def filter_org(self, qs: QuerySet[Transfer], name: str, value: Org | None) -> QuerySet[Transfer]:
        if not value:
            return qs
        return qs.filter(
            Q(from_account__org__path__startswith=value.path) | Q(to_account__org__path__startswith=value.path)
        )


class OfferFilterSet(_ScopedOrgs):
    org_perm = "timebank.view_offer"
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    category = django_filters.ChoiceFilter(label=_("category"), choices=ServiceRequest.Category.choices)
    is_active = django_filters.BooleanFilter(label=_("open"))
    org = OrgSubtreeFilter()

    class Meta:
        model = Offer
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        return qs.filter(_name_q("provider__retiree__", value)) if value.strip() else qs

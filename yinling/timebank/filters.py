"""List filters for the time bank's staff pages, exports and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.core.filtering import YesNoFilter
from yinling.core.scoping import orgs_where
from yinling.orgs.lookups import OrgSubtreeFilter
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


def _orgs_for(model: type[Model]) -> Callable[[Any], QuerySet[Org]]:
    """The org picker's queryset: active orgs where the user may view `model` objects (any org without
    a request: filtering rows already scoped by it cannot widen them)."""

    def orgs(request: Any) -> QuerySet[Org]:
        if request is None:
            return Org.objects.unrestricted()
        return orgs_where(request.user, model, "view")

    return orgs


def org_filter(model: type[Model], **kwargs: Any) -> OrgSubtreeFilter:
    """An org, chosen with the search picker by code, and everything below it."""
    # The picker offers the orgs the queryset holds.
    params = {"for": model._meta.label_lower, "action": "view"}
    return OrgSubtreeFilter(queryset=_orgs_for(model), params=params, **kwargs)


class RequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("status"), choices=ServiceRequest.Status.choices)
    category = django_filters.ChoiceFilter(label=_("category"), choices=ServiceRequest.Category.choices)
    org = org_filter(ServiceRequest)
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
        return qs.filter(org__path__under=path) if path else qs.none()


class MemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    provider = YesNoFilter(label=_("provides services"), field_name="is_provider")
    org = org_filter(Account)

    class Meta:
        model = Account
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return qs.filter(_name_q("retiree__", value)) if value.strip() else qs


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Transfer.Kind.choices)
    org = org_filter(Account, method="filter_org")
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
        return qs.filter(Q(from_account__org__path__under=value.path) | Q(to_account__org__path__under=value.path))


class OfferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name"), method="filter_q")
    category = django_filters.ChoiceFilter(label=_("category"), choices=ServiceRequest.Category.choices)
    is_active = YesNoFilter(label=_("open"))
    org = org_filter(Offer)

    class Meta:
        model = Offer
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        return qs.filter(_name_q("provider__retiree__", value)) if value.strip() else qs

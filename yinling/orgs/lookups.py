"""Choosing an org by typing its name or code: the picker field, its list filter and its lookup endpoint.

`OrgField` is the form field for every "which org?" question (a record's managing org, a move's
destination, an org's parent, list filters). Its queryset is what the user may choose, and it is
keyed by the org code, as URLs, sheets and the API are. `/orgs/_lookup/?q=` serves its options:
active orgs only, by default those the user may view; `for=app.model&action=add` narrows them to
the orgs where the user may do that (the choices of a form's org field), and `scope=all` widens
them to every active org, for the one question that needs it (a move may go to any city).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from yinling.core.scoping import has_anywhere, orgs_where, user_paths
from yinling.core.widgets import PickerField
from yinling.orgs.models import Org

LIMIT = 10


def search_orgs(queryset: QuerySet[Org], text: str) -> QuerySet[Org]:
    """An exact code or name first (so typing one picks it); otherwise names containing the text, codes starting it."""
    text = text.strip()
    if not text:
        return queryset.none()
    exact = queryset.filter(Q(code__iexact=text) | Q(name=text))
    if exact.exists():
        return exact.order_by("depth", "path")
    return queryset.filter(Q(name__contains=text) | Q(code__istartswith=text)).order_by("depth", "path")


def org_label(org: Org) -> str:
    return f"{org.name}（{org.code}）"


class OrgField(PickerField):
    lookup_url_name = "orgs:lookup"
    default_error_messages = {
        "invalid_choice": _("That org is not one you may choose here: type its name or code and pick it from the list.")
    }

    def __init__(self, queryset: QuerySet[Org] | None = None, **kwargs: Any) -> None:
        # Keyed by code (GET filters, the move form), or by id where a form always posted ids (to_field_name=None).
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("placeholder", _("Type a name or code"))
        if kwargs["to_field_name"] is None:
            kwargs["params"] = {**kwargs.get("params", {}), "key": "pk"}
        super().__init__(queryset, **kwargs)

    def empty_queryset(self) -> QuerySet[Org]:
        return Org.objects.none()

    def search(self, queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
        return search_orgs(queryset, text)

    def label_from_instance(self, obj: Org) -> str:
        return org_label(obj)


# In the API the filter takes an org's code (the schema would otherwise guess from the model's field).
@extend_schema_field(OpenApiTypes.STR)
class OrgSubtreeFilter(django_filters.ModelChoiceFilter):
    """An org, chosen with the picker, and everything below it. An org the user may not choose is a form error."""

    field_class = OrgField

    def __init__(self, *args: Any, path_field: str = "org__path", **kwargs: Any) -> None:
        self.path_field = path_field
        kwargs.setdefault("label", _("Org (and below)"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Org | None) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__under": value.path})


def _base(request: HttpRequest) -> QuerySet[Org] | None:
    """The orgs the lookup may offer this user, by its parameters; None if they ask for something unknown."""
    user = request.user
    if request.GET.get("scope") == "all":
        # Any active org, for a user with a role (a move may go to any city): names and codes only.
        return Org.objects.unrestricted().filter(is_active=True) if user_paths(user, None) else Org.objects.none()
    label = request.GET.get("for", "")
    if label:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            return None
        if not hasattr(model, "scope_path_field"):
            return None
        return orgs_where(user, model, request.GET.get("action", "view"))
    return Org.objects.restrict(user, "view").filter(is_active=True)


@login_required
def org_lookup(request: HttpRequest) -> HttpResponse:
    """The picker's options: at most LIMIT active orgs matching `q`, as <li role="option"> items."""
    if not user_paths(request.user, None) and not has_anywhere(request.user, Org, "view"):
        raise PermissionDenied
    base = _base(request)
    if base is None:
        return HttpResponseBadRequest()
    text = request.GET.get("q", "").strip()[:50]
    rows = list(search_orgs(base, text)[: LIMIT + 1]) if text else []
    by_pk = request.GET.get("key") == "pk"
    options = [
        {"value": o.pk if by_pk else o.code, "label": org_label(o), "name": o.name, "detail": o.code}
        for o in rows[:LIMIT]
    ]
    return render(
        request,
        "core/widgets/picker_options.html",
        {"options": options, "text": text, "more": len(rows) > LIMIT, "limit": LIMIT},
    )

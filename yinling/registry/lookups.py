"""Choosing a retiree by typing: the picker field and its lookup endpoint.

`RetireeField` is the form field for every "which person?" question. Its queryset is whom the
user may choose (the form narrows it: in scope, live, on register…), keyed by the record id.
`/registry/lookup/?q=` serves its options with the list's search (name, full pinyin or initials,
the last 4 or 6 digits of the ID number or a phone, a whole ID number or mobile), inside the
user's scope for `action` (view by default), soft-deleted records never, and people on register
unless `status` says otherwise. Options show masks only (the last four ID digits, as every list
does), whatever the role, so a lookup is never an unmasked view to audit.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import F, Model, QuerySet
from django.db.models.functions import Collate
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import has_anywhere
from yinling.core.widgets import PickerField
from yinling.registry import choices
from yinling.registry.models import Retiree

LIMIT = 10
STATUS_ALL = "all"  # as registry.filters.STATUS_ALL (which imports this module)
ACTIONS = ("view", "change", "transfer", "open_account", "act_for")


def search_people(queryset: QuerySet[Retiree], text: str) -> QuerySet[Retiree]:
    from yinling.registry.filters import search_q

    text = text.strip()
    if not text:
        return queryset.none()
    qs = queryset.filter(search_q(text)).select_related("org")
    if connections[qs.db].vendor == "postgresql":
        # Sort the matches rather than walk the whole pinyin index for ten of them (see RetireeListView).
        return qs.order_by(Collate(F("name_pinyin"), "C"), "id")
    return qs.order_by("name_pinyin", "id")


def person_detail(r: Retiree) -> str:
    return gettext("%(age)s years, %(org)s, ID …%(last4)s") % {
        "age": r.age_this_year,
        "org": r.org.name,
        "last4": r.id_last4,
    }


def person_label(r: Retiree) -> str:
    return f"{r.name}（{person_detail(r)}）"


class RetireeField(PickerField):
    lookup_url_name = "registry:lookup"
    default_error_messages = {
        "invalid_choice": _(
            "That person is not one you may choose here: type a name or ID digits and pick from the list."
        )
    }

    def __init__(self, queryset: QuerySet[Retiree] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", _("Name, pinyin or the last digits of the ID number"))
        super().__init__(queryset, **kwargs)

    def empty_queryset(self) -> QuerySet[Retiree]:
        return Retiree.objects.none()

    def search(self, queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
        return search_people(queryset, text)

    def label_from_instance(self, obj: Retiree) -> str:
        return person_label(obj)

    def resolve_text(self, text: str) -> Model:
        """Typed text without a choice (no JavaScript) runs the same search as the lookup, so a search by a
        whole ID number or phone is audited and limited here too (search_guard), as the form's error."""
        from yinling.audit.context import acting_user
        from yinling.core.refusals import Refused
        from yinling.registry import search_guard

        user = acting_user()
        try:
            exact = user is not None and search_guard.check(user, text, "picker")
        except Refused as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        try:
            found = super().resolve_text(text)
        except ValidationError as exc:
            if exact:
                search_guard.audited(user, text, "picker", int((exc.params or {}).get("count", 0)))
            raise
        if exact:
            search_guard.audited(user, text, "picker", 1)
        return found


class RetireeFilter(django_filters.ModelChoiceFilter):
    """One person, chosen with the picker."""

    field_class = RetireeField


def people_for(user: Any, action: str = "view", status: str = choices.Status.ACTIVE) -> QuerySet[Retiree]:
    """Live records the user may `action`, with `status` (or any status for "all"): a RetireeField's usual queryset."""
    qs = Retiree.objects.restrict(user, action).select_related("org")  # restrict() leaves out deleted records
    return qs if status == STATUS_ALL else qs.filter(status=status)


@login_required
def retiree_lookup(request: HttpRequest) -> HttpResponse:
    """The picker's options: at most LIMIT people matching `q`, as <li role="option"> items."""
    action = request.GET.get("action", "view")
    status = request.GET.get("status", choices.Status.ACTIVE)
    if action not in ACTIONS or status not in {*choices.Status.values, STATUS_ALL}:
        return HttpResponseBadRequest()
    if not has_anywhere(request.user, Retiree, action):
        raise PermissionDenied
    text = request.GET.get("q", "").strip()[:50]
    from yinling.core.refusals import Refused
    from yinling.registry import search_guard

    try:
        exact = search_guard.check(request.user, text, "lookup")
    except Refused as exc:  # over the hourly limit of exact searches: say so in the listbox
        note = format_html('<li class="yl-picker-note" role="presentation" data-picker-note>{}</li>', exc.message)
        return HttpResponse(note, status=429)
    rows = list(search_people(people_for(request.user, action, status), text)[: LIMIT + 1]) if text else []
    if exact:
        search_guard.audited(request.user, text, "lookup", len(rows))
    options = [{"value": r.pk, "label": person_label(r), "name": r.name, "detail": person_detail(r)} for r in rows]
    return render(
        request,
        "core/widgets/picker_options.html",
        {"options": options[:LIMIT], "text": text, "more": len(rows) > LIMIT, "limit": LIMIT},
    )

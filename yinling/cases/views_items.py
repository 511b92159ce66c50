"""Service item definition pages: the list, one item with its versions, and the form builder (the item's
settings, its fields and its approval steps as rows to add and remove: no code). Saving calls the item
services, which add a version on each change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.cases import definition as spec
from yinling.cases import services
from yinling.cases.filters import ItemFilterSet
from yinling.cases.forms import FieldRows, ItemForm, StepRows, definition_from, initial_from
from yinling.cases.models import ServiceItem
from yinling.cases.tables import ItemTable
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere, orgs_where
from yinling.core.views import ObjectListView


class ItemListView(ObjectListView):
    model = ServiceItem
    table_class = ItemTable
    filterset_class = ItemFilterSet
    title = gettext_lazy("Service items")
    add_url_name = "cases:item_add"
    export_columns = [("编码", "code"), ("名称", "name"), ("定义单位", "org.name"), ("启用", "is_active")]

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return super().get_queryset().select_related("org", "current")


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(ServiceItem.objects.select_related("org", "current"), request.user, "view", pk=pk)
    definition = item.current.definition if item.current else {}
    return render(
        request,
        "cases/staff/item.html",
        {
            "item": item,
            "definition": definition,
            "types": spec.FIELD_TYPES,
            "levels": spec.LEVELS,
            "versions": list(item.versions.order_by("-number")[:20]),
            "may_edit": can(request.user, "change", item),
        },
    )


def _builder(request: HttpRequest, item: ServiceItem | None) -> HttpResponseBase:
    editing = item is not None
    orgs = orgs_where(request.user, ServiceItem, "add")
    data = request.POST if request.method == "POST" else None
    if item is not None and item.current is not None:
        head, field_rows, step_rows = initial_from(item.current.definition)
        head.update(name=item.name, is_active=item.is_active)
    else:
        head, field_rows, step_rows = {"min_age": 0, "is_active": True, "limit_days": 10}, [], []
    form = ItemForm(data, orgs=orgs, editing=editing, initial=head)
    fields = FieldRows(data, prefix="fields", initial=field_rows)
    steps = StepRows(data, prefix="steps", initial=step_rows)
    if data is not None and form.is_valid() and fields.is_valid() and steps.is_valid():
        definition = definition_from(form, fields, steps)
        try:
            if item is None:
                item = services.do_define_item(
                    by=request.user,
                    org=form.cleaned_data["org"],
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    definition=definition,
                )
            else:
                item = services.do_edit_item(
                    by=request.user,
                    item=item,
                    name=form.cleaned_data["name"],
                    definition=definition,
                    is_active=form.cleaned_data["is_active"],
                )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except Refused as exc:
            refusals.on_form(form, exc, "code" if exc.code == "duplicate" else None)
        else:
            messages.success(request, _("Saved. Cases filed from now on follow this definition."))
            return redirect("cases:item", pk=item.pk)
    title = _("Edit %(name)s") % {"name": item.name} if item else _("New service item")
    context: dict[str, Any] = {"form": form, "fields": fields, "steps": steps, "title": title, "item": item}
    context["breadcrumbs"] = [(_("Service items"), reverse("cases:item_list")), (title, "")]
    return render(request, "cases/staff/item_form.html", context)


@login_required
def item_add(request: HttpRequest) -> HttpResponseBase:
    if not has_anywhere(request.user, ServiceItem, "add"):
        raise PermissionDenied
    return _builder(request, None)


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_scoped_or_404(ServiceItem.objects.select_related("current"), request.user, "change", pk=pk)
    return _builder(request, item)

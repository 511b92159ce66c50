"""Generic list / detail / edit / delete views that every module reuses (NetBox style).

Each view declares its model, and everything it reads comes from
`model.objects.restrict(user, action)`. Objects outside the user's subtrees do not
exist (404); inside them a missing permission is 403.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django.views.generic.edit import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from yinling.core.exports import xlsx_response
from yinling.core.pagination import EXACT_UP_TO, EstimatingPaginator, estimate_count
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere, orgs_where


class ScopedMixin(LoginRequiredMixin):
    model: type[models.Model]
    request: HttpRequest

    def scoped(self, action: str | None = "view") -> QuerySet[Any]:
        return self.model.objects.restrict(self.request.user, action)  # type: ignore[attr-defined]

    def require_anywhere(self, action: str) -> None:
        if not has_anywhere(self.request.user, self.model, action):
            raise PermissionDenied

    def get_scoped_object(self, action: str, **lookup: Any) -> models.Model:
        """404 outside the user's subtrees; 403 inside them without `action`."""
        return get_scoped_or_404(self.get_lookup_queryset(), self.request.user, action, **lookup)

    def get_lookup_queryset(self) -> QuerySet[Any]:
        """Where single objects are looked up (restricted by get_scoped_or_404); narrow it to join."""
        return self.model._default_manager.all()

    def breadcrumbs(self) -> list[tuple[str, str]]:
        """The trail after Home: (label, url), the current page last with an empty url."""
        return []

    def list_crumbs(self) -> list[tuple[str, str]]:
        """The trail to the model's list page (found in the URLconf), or nothing when it has none."""
        found = list_page(self.model)
        if found is None:
            return []
        name, label = found
        return [(label, reverse(name))]

    def object_crumbs(self, obj: Any) -> list[tuple[str, str]]:
        """The list page, then the object linked to its page."""
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        return [*self.list_crumbs(), (str(obj), str(url))]


@cache
def _list_pages(urlconf: str | None) -> dict[str, tuple[str, type[ObjectListView]]]:
    """{model label: (url name, view)} of the ObjectListView pages mounted in the URLconf (the first one)."""
    found: dict[str, tuple[str, type[ObjectListView]]] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
            elif isinstance(entry, URLPattern) and entry.name:
                view = getattr(entry.callback, "view_class", None)
                if isinstance(view, type) and issubclass(view, ObjectListView) and getattr(view, "model", None):
                    found.setdefault(view.model._meta.label_lower, (namespace + entry.name, view))

    walk(get_resolver(urlconf), "")
    return found


def list_page(model: type[models.Model]) -> tuple[str, str] | None:
    """(url name, title) of the model's list page, in the reader's language; None when it has none."""
    found = _list_pages(get_urlconf()).get(model._meta.label_lower)
    if found is None:
        return None
    name, view = found
    try:
        title: Any = view().title  # a class attribute, or a property that reads no request
    except AttributeError:
        title = ""
    return name, str(title or model._meta.verbose_name_plural)


class ObjectListView(ScopedMixin, SingleTableMixin, FilterView):
    """Filter, sort, paginate and export a scoped list."""

    template_name = "core/object_list.html"
    paginate_by = 25
    # Exact counts up to 10,000 rows, PostgreSQL's estimate above ("约 N 条"): see core/pagination.py.
    paginator_class = EstimatingPaginator
    export_columns: list[tuple[str, str]] = []  # (header, attribute path)
    title: Any = ""
    add_url_name: str | None = None
    # Tabs above the list: the filter whose choices they are (its name is the model field's), the value that
    # means "every choice" ("" when leaving the filter out does) and the one an absent filter means.
    tab_filter: str | None = None
    tab_all: str = ""
    tab_default: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.require_anywhere("view")
        if request.GET.get("export") == "xlsx":
            self.require_anywhere("export")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped("view")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_table_pagination(self, table: Any) -> Any:
        paginate = super().get_table_pagination(table)
        if isinstance(paginate, dict) and issubclass(paginate.get("paginator_class", object), EstimatingPaginator):
            paginate["reorder"] = self.order_for_size
        return paginate

    def order_for_size(self, qs: QuerySet[Any], is_estimate: bool) -> QuerySet[Any]:
        """The queryset to fetch the page from, once its size is known (a hook; unchanged here).

        With a LIMIT, PostgreSQL likes to walk the index of the ORDER BY column and filter
        as it goes, which is fast when matches are many and spread out and very slow when
        they are few; a view whose lists get that large can order differently by size.
        """
        return qs

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, Any, Any, bool]:
        # django-tables2 paginates the table (get_table_pagination); ListView's own pagination
        # would count the whole list a second time for a page object no template uses.
        return None, None, queryset, False

    def export_queryset(self) -> QuerySet[Any]:
        # Export only what the user may export, narrowed by the same filters as the page.
        base = self.scoped("export")
        filterset = self.get_filterset(self.get_filterset_class())
        return filterset.filter_queryset(base) if filterset.is_valid() else base.none()

    def export(self) -> HttpResponseBase:
        qs = self.export_queryset()
        columns = self.export_columns
        label = self.model._meta.verbose_name_plural

        def rows() -> Any:
            for obj in qs.iterator(chunk_size=2000):
                yield [_resolve(obj, attr) for _h, attr in columns]

        filters = {k: v for k, v in self.request.GET.items() if k not in ("export", "page")}
        return xlsx_response(
            f"{self.model._meta.model_name}.xlsx",
            [h for h, _a in columns],
            rows(),
            object_type=self.model._meta.label_lower,
            filters=filters,
            sheet_title=str(label),
        )

    def list_title(self) -> str:
        return str(self.title or self.model._meta.verbose_name_plural)

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [(self.list_title(), "")]

    def tab_choices(self) -> list[tuple[str, Any]]:
        """The tabs' (value, label): the filter's choices, with "All" for the value meaning all (added if none)."""
        assert self.tab_filter is not None
        field = self.get_filterset_class().base_filters[self.tab_filter]
        choices = [(str(v), label) for v, label in field.extra.get("choices", []) if str(v)]
        choices = [(v, _("All") if v == self.tab_all else label) for v, label in choices]
        if not any(v == self.tab_all for v, _label in choices):
            choices.append((self.tab_all, _("All")))
        return choices

    def tab_queryset(self) -> QuerySet[Any] | None:
        """The list's rows under the page's filters but the tab's (None when they do not validate).

        The page's own filterset's filters, applied again without the tab's: a filter with a side effect
        (an audited search) can be kept from repeating it by overriding this."""
        filterset: Any = getattr(self, "filterset", None)
        if filterset is None:
            return None
        qs = self.get_queryset()
        if not filterset.is_bound:  # a list opened without filters: django-filter leaves it whole
            return qs
        if not filterset.is_valid():
            return None
        for name, value in filterset.form.cleaned_data.items():
            if name != self.tab_filter:
                qs = filterset.filters[name].filter(qs, value)
        return qs

    def tab_counts(self, base: QuerySet[Any], choices: list[tuple[str, Any]]) -> dict[str, tuple[int, bool]]:
        """{value: (count, is_estimate)}: one aggregate, a conditional Count per tab, over the list's rows.

        As the list's own count line (core/pagination.py), the counting stops after EXACT_UP_TO rows: a list
        that long (a province's registry) would otherwise be read whole on every page view. Past it, each
        tab shows PostgreSQL's estimate of its rows (EXPLAIN, about a millisecond; exact elsewhere)."""
        name = self.tab_filter
        keys = {value: f"tab{i}" for i, (value, _label) in enumerate(choices)}
        aggregates = {
            key: Count("pk") if value == self.tab_all else Count("pk", filter=Q(**{str(name): value}))
            for value, key in keys.items()
        }
        found = base.order_by()[: EXACT_UP_TO + 1].aggregate(**aggregates)
        if found[keys[self.tab_all]] <= EXACT_UP_TO:
            return {value: (found[key], False) for value, key in keys.items()}
        counts = {}
        for value in keys:
            rows = base if value == self.tab_all else base.filter(**{str(name): value})
            estimate = estimate_count(rows)
            counts[value] = (
                (rows.count(), False) if estimate is None else (round(estimate, 2 - len(str(estimate))), True)
            )
        return counts

    def tabs(self) -> list[dict[str, Any]]:
        """Each tab's link and the number of rows its list shows (tab_counts), under the page's other filters."""
        if self.tab_filter is None:
            return []
        name = self.tab_filter
        current = self.request.GET.get(name) or self.tab_default
        choices = self.tab_choices()
        base = self.tab_queryset()
        counts = self.tab_counts(base, choices) if base is not None else {}
        tabs = []
        for value, label in choices:
            query = self.request.GET.copy()
            query.pop("page", None)
            query[name] = value
            if value == self.tab_default:
                query.pop(name)
            count, approximate = counts.get(value, (None, False))
            tabs.append(
                {
                    "label": label,
                    "query": query.urlencode(),
                    "active": value == current,
                    "count": count,
                    "approximate": approximate,
                }
            )
        return tabs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            tabs=self.tabs(),
            title=self.list_title(),
            can_add=bool(self.add_url_name) and has_anywhere(user, self.model, "add"),
            can_export=bool(self.export_columns) and has_anywhere(user, self.model, "export"),
            add_url_name=self.add_url_name,
            breadcrumbs=self.breadcrumbs(),
            query_string=self.request.GET.urlencode(),
        )
        return ctx


def _resolve(obj: Any, attr: str) -> Any:
    value = obj
    for part in attr.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return value


class ObjectDetailView(ScopedMixin, DetailView):
    template_name = "core/object_detail.html"
    lookup_field = "pk"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> models.Model:
        return self.get_scoped_object("view", **{self.lookup_field: self.kwargs[self.lookup_field]})

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [*self.list_crumbs(), (str(self.object), "")]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_change"] = can(user, "change", self.object)
        ctx["can_delete"] = can(user, "delete", self.object)
        ctx["breadcrumbs"] = self.breadcrumbs()
        return ctx


__all__ = ["ObjectDeleteView", "ObjectDetailView", "ObjectEditView", "ObjectListView", "orgs_where"]


class ObjectEditView(ScopedMixin, FormView):
    """Create (no pk in the URL) or update. Org fields only offer orgs the user may use."""

    template_name = "core/object_edit.html"
    lookup_field = "pk"
    org_fields: tuple[str, ...] = ("org",)
    object: models.Model | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.lookup_field in kwargs:
            self.object = self.get_scoped_object("change", **{self.lookup_field: kwargs[self.lookup_field]})
        else:
            self.require_anywhere("add")
        return super().dispatch(request, *args, **kwargs)

    @property
    def action(self) -> str:
        return "change" if self.object is not None else "add"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_form(self, form_class: Any = None) -> BaseModelForm:
        form = super().get_form(form_class)
        allowed = orgs_where(self.request.user, self.model, self.action)
        for name in self.org_fields:
            if name in form.fields:
                field = form.fields[name]
                field.queryset = field.queryset & allowed  # type: ignore[attr-defined]
        return form

    def save(self, form: BaseModelForm) -> models.Model:
        """Override with a call to the module's service function when saving does more."""
        return form.save()

    def form_valid(self, form: BaseModelForm) -> HttpResponse:
        with transaction.atomic():
            obj = self.save(form)
        messages.success(self.request, _("Saved “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(self.get_success_url(obj))

    def cancel_url(self) -> str:
        return "/"

    def breadcrumbs(self) -> list[tuple[str, str]]:
        if self.object is None:
            return [*self.list_crumbs(), (_("Add"), "")]
        return [*self.object_crumbs(self.object), (_("Edit"), "")]

    def get_success_url(self, obj: models.Model | None = None) -> str:  # type: ignore[override]
        target: Any = obj or self.object
        return str(target.get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object
        ctx["model_name"] = self.model._meta.verbose_name
        obj: Any = self.object
        # A model without get_absolute_url (a module's page is a named URL) falls back to cancel_url().
        has_page = obj is not None and hasattr(obj, "get_absolute_url")
        ctx["cancel_url"] = obj.get_absolute_url() if has_page else self.cancel_url()
        ctx["breadcrumbs"] = self.breadcrumbs()
        return ctx


class ObjectDeleteView(ScopedMixin, View):
    template_name = "core/object_delete.html"
    lookup_field = "pk"
    success_url_name: str = "home"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_scoped_object("delete", **{self.lookup_field: kwargs[self.lookup_field]})
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        from django.shortcuts import render

        return render(request, self.template_name, {"object": self.object, "breadcrumbs": self.breadcrumbs()})

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [*self.object_crumbs(self.object), (_("Delete"), "")]

    def delete_object(self) -> None:
        self.object.delete()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        from django.db.models import ProtectedError
        from django.shortcuts import redirect

        try:
            with transaction.atomic():
                self.delete_object()
        except ProtectedError:
            messages.error(request, _("“%(obj)s” is still in use and cannot be deleted.") % {"obj": self.object})
            return redirect(self.object.get_absolute_url())  # type: ignore[attr-defined]
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": self.object})
        return redirect(self.success_url_name)

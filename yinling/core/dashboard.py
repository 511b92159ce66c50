"""The home page's figures: each a filtered list page, and the number of rows that page shows.

A figure names a list view (`url_name`, an `ObjectListView`) and the filters it applies
(`query`). Its number is computed by that view itself, for the user: the view's scoped
queryset narrowed by its filterset with `query`, exactly as the page does when opened at
`reverse(url_name)?query`. So the figure and its link cannot drift apart: a figure counts
what its link shows, and a change to the list's default (say, people on register only)
changes both. Counts are exact up to 10,000 rows and PostgreSQL's estimate above, as on
the list page (core/pagination.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils.functional import Promise

from yinling.core.pagination import count_or_estimate

Query = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    # A list page (ObjectListView); the user who may not open it does not see the figure.
    url_name: str
    # The page's filter parameters, or a function giving them when the home page is shown
    # (for a date: {"since": today}).
    query: Query | Callable[[], Query] = field(default_factory=dict)
    order: int = 100
    note: str | Promise = ""  # what the number includes, when the label alone could mislead

    @property
    def list_name(self) -> str:
        return self.url_name

    def params(self) -> Query:
        return self.query() if callable(self.query) else self.query

    def url(self) -> str:
        path = reverse(self.list_name)
        params = self.params()
        return f"{path}?{urlencode(params, doseq=True)}" if params else path


FIGURES: list[Figure] = []


def register_figure(figure: Figure) -> None:
    FIGURES.append(figure)
    FIGURES.sort(key=lambda f: f.order)


def list_rows(url_name: str, user: Any, query: Query) -> QuerySet[Any] | None:
    """The rows the list page at `url_name` shows `user` for `query`; None if the user may not open it.

    The page's own view computes them: its get_queryset() and its filterset, with the same
    steps as django-filter's FilterView.get() (an invalid filter shows nothing).
    """
    path = reverse(url_name)
    match = resolve(path)
    view_class: Any = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "get_filterset_class"):
        raise TypeError(f"a home figure must link to a filtered list view; {url_name} is not one")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.user = user
    request.GET = QueryDict(urlencode(query, doseq=True))
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        view.require_anywhere("view")
    except PermissionDenied:
        return None
    filterset = view.get_filterset(view.get_filterset_class())
    if not filterset.is_bound or filterset.is_valid() or not view.get_strict():
        return filterset.qs  # type: ignore[no-any-return]
    return filterset.queryset.none()  # type: ignore[no-any-return]


def home_figures(user: Any) -> list[dict[str, Any]]:
    result = []
    for fig in FIGURES:
        params = fig.params()
        rows = list_rows(fig.list_name, user, params)
        if rows is None:
            continue
        value, approximate = count_or_estimate(rows)
        url = reverse(fig.list_name) + (f"?{urlencode(params, doseq=True)}" if params else "")
        result.append({"label": fig.label, "value": value, "approximate": approximate, "url": url, "note": fig.note})
    return result

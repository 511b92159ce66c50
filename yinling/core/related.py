"""Related counts on a detail page: "this org has 1,204 people on register, 310 time bank members, 12 staff
accounts", each a link to the list that shows them.

Modules register, per model, a list page and the filter that narrows it to the object (`RelatedList`).
The number is that list page's own count for the user (core/dashboard.list_rows), as the home page's
figures are, so a count and its link cannot disagree, and a user who may not open the list sees no
count. Core imports no domain app: the registry registers its people under an org, the time bank its
members, accounts its staff.

A record can also have single related things rather than lists: a retiree's time bank account, later their
volunteer teams, courses and cases (issue #11). A module registers a `RelatedSummary` for "registry.retiree"
whose function answers, for the viewer and the object, a short value and a link, or None when there is
nothing to show (no such thing, or the viewer may not see it): the item is then left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise

from yinling.core.dashboard import Query, list_rows
from yinling.core.pagination import count_or_estimate


@dataclass(frozen=True)
class RelatedList:
    label: str | Promise
    url_name: str  # a filtered list page (ObjectListView)
    query: Callable[[Any], Query]  # the list's filters that narrow it to the object
    order: int = 100


@dataclass(frozen=True)
class Summary:
    """What a RelatedSummary shows: a short value ("12.5 hours") and the page it links to."""

    value: str
    url: str


@dataclass(frozen=True)
class RelatedSummary:
    label: str | Promise
    key: str  # unique per model: "timebank.account"
    summary: Callable[[Any, Any], Summary | None]  # (viewer, object) -> what to show, None to show nothing
    order: int = 100


RELATED: dict[str, list[RelatedList | RelatedSummary]] = defaultdict(list)


def _key(item: RelatedList | RelatedSummary) -> str:
    return item.url_name if isinstance(item, RelatedList) else item.key


def register_related(model_label: str, item: RelatedList | RelatedSummary) -> None:
    """`model_label` is "app_label.modelname", as `Model._meta.label_lower` gives it."""
    if all(_key(existing) != _key(item) for existing in RELATED[model_label]):
        RELATED[model_label].append(item)
        RELATED[model_label].sort(key=lambda i: i.order)


def related_for(user: Any, obj: models.Model) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for item in RELATED.get(obj._meta.label_lower, []):
        if isinstance(item, RelatedSummary):
            shown = item.summary(user, obj)
            if shown is not None:
                result.append({"label": item.label, "text": shown.value, "url": shown.url})
            continue
        params = item.query(obj)
        rows = list_rows(item.url_name, user, params)
        if rows is None:
            continue
        value, approximate = count_or_estimate(rows)
        url = f"{reverse(item.url_name)}?{urlencode(params, doseq=True)}"
        result.append({"label": item.label, "value": value, "approximate": approximate, "url": url})
    return result

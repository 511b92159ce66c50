"""Related counts on a detail page: "this org has 1,204 people on register, 310 time bank members, 12 staff
accounts", each a link to the list that shows them.

Modules register, per model, a list page and the filter that narrows it to the object (`RelatedList`).
The number is that list page's own count for the user (core/dashboard.list_rows), as the home page's
figures are, so a count and its link cannot disagree, and a user who may not open the list sees no
count. Core imports no domain app: the registry registers its people under an org, the time bank its
members, accounts its staff.
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


RELATED: dict[str, list[RelatedList]] = defaultdict(list)


def register_related(model_label: str, item: RelatedList) -> None:
    """`model_label` is "app_label.modelname", as `Model._meta.label_lower` gives it."""
    if all(existing.url_name != item.url_name for existing in RELATED[model_label]):
        RELATED[model_label].append(item)
        RELATED[model_label].sort(key=lambda i: i.order)


def related_for(user: Any, obj: models.Model) -> list[dict[str, Any]]:
    result = []
    for item in RELATED.get(obj._meta.label_lower, []):
        params = item.query(obj)
        rows = list_rows(item.url_name, user, params)
        if rows is None:
            continue
        value, approximate = count_or_estimate(rows)
        url = f"{reverse(item.url_name)}?{urlencode(params, doseq=True)}"
        result.append({"label": item.label, "value": value, "approximate": approximate, "url": url})
    return result

"""Counting and paginating lists of a million rows.

`SELECT COUNT(*)` over a province's whole registry reads every row (about a gigabyte for
1,000,000 retirees) and takes most of a second, on every page view. So counts are exact
up to EXACT_UP_TO rows (a count that stops there), and above that they are PostgreSQL's
estimate, shown as "约 N 条": a number that large is only ever read as an order of
magnitude. Small results — the ones people read row by row — always get exact counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_UP_TO = 10_000
# A list this small fetches its page by primary key, from the keys its count collected.
PAGE_BY_PK_UP_TO = 2_000


def estimate_count(qs: QuerySet[Any]) -> int | None:
    """The planner's estimate of how many rows `qs` returns (PostgreSQL only; None elsewhere)."""
    if connections[qs.db].vendor != "postgresql":
        return None
    plan = json.loads(qs.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def count_up_to(qs: QuerySet[Any], limit: int) -> int:
    """COUNT(*) that stops after `limit` + 1 rows: exact when it returns `limit` or fewer."""
    return qs.order_by()[: limit + 1].count()


def count_or_estimate(qs: QuerySet[Any], exact_up_to: int | None = None) -> tuple[int, bool]:
    """(count, is_estimate): exact up to `exact_up_to`, the planner's estimate above it.

    The estimate is rounded to two significant figures ("约 49,000", not a precise-looking
    48,711) and never below `exact_up_to`, which the capped count has already seen.
    Databases without estimates (SQLite, for development and tests) count exactly.
    """
    if exact_up_to is None:
        exact_up_to = EXACT_UP_TO
    seen = count_up_to(qs, exact_up_to)
    if seen <= exact_up_to:
        return seen, False
    return _beyond(qs, exact_up_to)


def _beyond(qs: QuerySet[Any], exact_up_to: int) -> tuple[int, bool]:
    """The count of a result known to exceed `exact_up_to`."""
    estimate = estimate_count(qs)
    if estimate is None:
        return qs.count(), False
    return max(round(estimate, 2 - len(str(estimate))), exact_up_to), True


def _queryset_of(object_list: Any) -> QuerySet[Any] | None:
    if isinstance(object_list, QuerySet):
        return object_list
    # django-tables2 hands the paginator its BoundRows; the queryset is underneath (rows.data.data).
    data = getattr(getattr(object_list, "data", None), "data", None)
    return data if isinstance(data, QuerySet) else None


class EstimatingPaginator(Paginator):
    """A Paginator whose count is `count_or_estimate()`; `count_is_estimate` tells the template.

    `reorder(qs, is_estimate)`, when given, may re-order the queryset once its size is
    known and before the page is fetched: see ObjectListView.order_for_size.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        reorder: Callable[[QuerySet[Any], bool], QuerySet[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        self.count_is_estimate = False
        self.reorder = reorder

    @cached_property
    def count(self) -> int:
        qs = _queryset_of(self.object_list)
        if qs is None:
            return super().count
        # The capped count collects the keys it counts (a few milliseconds more for 10,000 rows),
        # so that a small result's page needn't run the filters again: by key it is a few lookups.
        pks = list(qs.order_by().values_list("pk", flat=True)[: EXACT_UP_TO + 1])
        if len(pks) <= EXACT_UP_TO:
            count = len(pks)
            if count <= PAGE_BY_PK_UP_TO:
                qs = qs.filter(pk__in=pks)
        else:
            count, self.count_is_estimate = _beyond(qs, EXACT_UP_TO)
        if self.reorder is not None:
            qs = self.reorder(qs, self.count_is_estimate)
        self._replace_queryset(qs)
        return count

    def _replace_queryset(self, qs: QuerySet[Any]) -> None:
        if isinstance(self.object_list, QuerySet):
            self.object_list = qs
        else:
            rows: Any = self.object_list
            rows.data.data = qs

"""Monthly time bank figures per org (月报): aggregate queries, inside the user's scope.

One row for the chosen org's whole subtree and one per child org. Each figure is one
query with a filtered aggregate per row, so a province report (11 cities) is a handful
of queries whatever the ledger's size.

- hours banked: service hours credited to providers whose account is in the org
- hours redeemed: service hours paid from members' own balances, for needs in the org
- paid by the pool: service hours the pool paid for priority elders' needs in the org
- active providers: providers credited for a service in the month
- priority elders served: distinct priority recipients (paid by the pool) served in the month
- unconfirmed services: needs in the month reported done but not yet confirmed (or disputed)
- donated / granted: hours members gave to the pool, and hours staff granted from it
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from yinling.orgs.models import Org
from yinling.timebank.models import Account, ServiceRequest, Transfer

ZERO = Decimal("0")


@dataclass
class Row:
    org: Org
    is_total: bool
    banked: Decimal = ZERO
    redeemed: Decimal = ZERO
    pool_paid: Decimal = ZERO
    providers: int = 0
    priority_served: int = 0
    unconfirmed: int = 0
    donated: Decimal = ZERO
    granted: Decimal = ZERO

    def cells(self) -> list[Any]:
        """A spreadsheet row: hours as numbers (multiples of 0.5, exact as floats). The export is a
        Chinese document exchanged between bureaus, so its wording (“合计”) is not translated."""
        return [
            self.org.code,
            self.org.name if not self.is_total else f"{self.org.name}（合计）",
            float(self.banked),
            float(self.redeemed),
            float(self.pool_paid),
            self.providers,
            self.priority_served,
            self.unconfirmed,
            float(self.donated),
            float(self.granted),
        ]


# The export's column headings: a Chinese document exchanged between bureaus (like the registry's
# template), the same whatever the language of the page it was downloaded from.
HEADERS = [
    "单位代码",
    "单位",
    "存入时长（服务）",
    "兑换时长（本人支付）",
    "互助池支付时长",
    "活跃服务者",
    "受助重点老人",
    "未确认服务",
    "捐赠时长",
    "发放时长",
]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, timezone.make_aware(dt.datetime(nxt.year, nxt.month, 1))


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def monthly(user: Any, org: Org, month: dt.date) -> list[Row]:
    """The total for `org`'s subtree first, then its active children."""
    children = list(org.children.filter(is_active=True).order_by("path"))
    rows = [Row(org, True)] + [Row(child, False) for child in children]
    start, end = month_bounds(month)
    accounts = Account.objects.restrict(user, "view").values("pk")
    needs = ServiceRequest.objects.restrict(user, "view")

    def under(path_field: str, row: Row) -> Q:
        return Q(**{f"{path_field}__under": row.org.path})

    def per_row(metric: str, path_field: str, agg: tuple[Any, str, bool]) -> dict[str, Any]:
        """{f"{metric}{i}": the aggregate over row i's subtree} for every row."""
        fn, field, distinct = agg
        return {
            f"{metric}{i}": fn(field, filter=under(path_field, row), distinct=distinct) for i, row in enumerate(rows)
        }

    in_month = Q(created_at__gte=start, created_at__lt=end)
    services = Transfer.objects.restrict(user, "view").filter(in_month, kind=Transfer.Kind.SERVICE)

    banked = services.filter(to_account__in=accounts).aggregate(
        **per_row("b", "to_account__org__path", agg=(Sum, "amount", False)),
        **per_row("p", "to_account__org__path", agg=(Count, "to_account", True)),
    )
    member, pool = Q(from_account__kind=Account.Kind.MEMBER), Q(from_account__kind=Account.Kind.POOL)
    paid = services.filter(request__in=needs.values("pk")).aggregate(
        **{f"r{i}": Sum("amount", filter=under("request__org__path", row) & member) for i, row in enumerate(rows)},
        **{f"q{i}": Sum("amount", filter=under("request__org__path", row) & pool) for i, row in enumerate(rows)},
    )
    served = needs.filter(
        paid_by_pool=True,
        transfers__kind=Transfer.Kind.SERVICE,
        transfers__created_at__gte=start,
        transfers__created_at__lt=end,
    ).aggregate(**per_row("s", "org__path", agg=(Count, "recipient", True)))
    waiting = needs.filter(
        status__in=[ServiceRequest.Status.REPORTED, ServiceRequest.Status.DISPUTED],
        starts_at__gte=start,
        starts_at__lt=end,
    ).aggregate(**per_row("u", "org__path", agg=(Count, "id", False)))
    flows = Transfer.objects.restrict(user, "view").filter(
        in_month, kind__in=[Transfer.Kind.DONATION, Transfer.Kind.GRANT]
    )
    donated = flows.filter(kind=Transfer.Kind.DONATION, from_account__in=accounts).aggregate(
        **per_row("d", "from_account__org__path", agg=(Sum, "amount", False))
    )
    granted = flows.filter(kind=Transfer.Kind.GRANT, to_account__in=accounts).aggregate(
        **per_row("g", "to_account__org__path", agg=(Sum, "amount", False))
    )
    for i, row in enumerate(rows):
        row.banked = banked[f"b{i}"] or ZERO
        row.providers = banked[f"p{i}"] or 0
        row.redeemed = paid[f"r{i}"] or ZERO
        row.pool_paid = paid[f"q{i}"] or ZERO
        row.priority_served = served[f"s{i}"] or 0
        row.unconfirmed = waiting[f"u{i}"] or 0
        row.donated = donated[f"d{i}"] or ZERO
        row.granted = granted[f"g{i}"] or ZERO
    return rows

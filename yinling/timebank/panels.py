"""The time bank's cockpit panels (core/panels.py): aggregate queries inside the viewer's subtree.

- hours by month: service hours credited to providers and hours granted from pools to members whose
  account is in the org's subtree, for the last 12 months (Asia/Shanghai months), one query;
- open needs: needs not yet done, by category and stage, one GROUP BY;
- balances: member accounts by balance band, one query with a filtered count per band.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.panels import Panel, PanelData, Series, month_starts, register_panel
from yinling.orgs.models import Org
from yinling.timebank.models import Account, ServiceRequest, Transfer

MONTHS = 12
# Balance bands (hours): [lower, upper); None is open-ended.
BANDS: list[tuple[Decimal, Decimal | None]] = [
    (Decimal("0"), Decimal("0.5")),
    (Decimal("0.5"), Decimal("10")),
    (Decimal("10"), Decimal("50")),
    (Decimal("50"), Decimal("100")),
    (Decimal("100"), Decimal("500")),
    (Decimal("500"), None),
]
WAITING = [ServiceRequest.Status.OPEN, ServiceRequest.Status.ACCEPTED, ServiceRequest.Status.REPORTED]



def hours_by_month(user: Any, org: Org) -> PanelData:
    months = month_starts(timezone.localdate(), MONTHS)
    since = timezone.make_aware(dt.datetime.combine(months[0], dt.time.min))
    grouped = (
        Transfer.objects.restrict(user, "view")
        .filter(
            to_account__org__path__under=org.path,
            kind__in=[Transfer.Kind.SERVICE, Transfer.Kind.GRANT],
            created_at__gte=since,
        )
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            served=Sum("amount", filter=Q(kind=Transfer.Kind.SERVICE)),
            granted=Sum("amount", filter=Q(kind=Transfer.Kind.GRANT)),
        )
    )
    by_month: dict[dt.date, dict[str, Any]] = {_as_date(row["month"]): dict(row) for row in grouped}
    return PanelData(
        categories=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(_("Hours served"), [float(by_month.get(m, {}).get("served") or 0) for m in months]),
            Series(_("Hours granted"), [float(by_month.get(m, {}).get("granted") or 0) for m in months]),
        ],
        category_header=_("Month"),
        note=_("Service hours credited to providers, and hours granted to members, in the org's area."),
    )


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def open_needs(user: Any, org: Org) -> PanelData:
    grouped = (
        ServiceRequest.objects.restrict(user, "view")
        .filter(org__path__under=org.path, status__in=WAITING)
        .values("category")
        .annotate(**{status: Count("id", filter=Q(status=status)) for status in WAITING})
    )
    by_cat: dict[str, dict[str, Any]] = {row["category"]: dict(row) for row in grouped}
    cats = ServiceRequest.Category.choices
    return PanelData(
        categories=[str(label) for _code, label in cats],
        series=[
            Series(str(ServiceRequest.Status(status).label), [by_cat.get(code, {}).get(status, 0) for code, _l in cats])
            for status in WAITING
        ],
        category_header=_("Kind of help"),
    )


def band_label(lo: Decimal, hi: Decimal | None) -> str:
    if hi is None:
        return _("%(hours)s h and more") % {"hours": f"{lo:g}"}
    if lo == 0:
        return _("No hours")
    return f"{lo:g}–{hi:g} h"


def balances(user: Any, org: Org) -> PanelData:
    def band_q(lo: Decimal, hi: Decimal | None) -> Q:
        return Q(balance__gte=lo) & (Q(balance__lt=hi) if hi is not None else Q())

    figures = (
        Account.objects.restrict(user, "view")
        .filter(kind=Account.Kind.MEMBER, org__path__under=org.path)
        .aggregate(**{f"b{i}": Count("id", filter=band_q(lo, hi)) for i, (lo, hi) in enumerate(BANDS)})
    )
    return PanelData(
        categories=[band_label(lo, hi) for lo, hi in BANDS],
        series=[Series(_("Members"), [figures[f"b{i}"] for i in range(len(BANDS))])],
        category_header=_("Balance"),
    )


def register_panels() -> None:
    view_account = "timebank.view_account"
    register_panel(
        Panel(
            "timebank-hours",
            gettext_lazy("Time bank hours by month"),
            hours_by_month,
            kind="line",
            perm=view_account,
            order=60,
        )
    )
    register_panel(
        Panel(
            "timebank-needs",
            gettext_lazy("Time bank needs waiting"),
            open_needs,
            kind="stacked",
            perm="timebank.view_servicerequest",
            order=70,
        )
    )
    register_panel(
        Panel(
            "timebank-balances", gettext_lazy("Time bank balances"), balances, kind="pie", perm=view_account, order=80
        )
    )

"""The cockpit's service-case panels (core/panels.py): the on-time rate of closed cases, by item and by org
one level down (drillable). A case counts as on time when it was decided (completed or rejected) by its
promised date (`Case.on_time`, set when it closes). Two grouped queries, conditional counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.cases.models import Case
from yinling.core.panels import Panel, PanelData, Series, register_panel
from yinling.orgs.models import Org

PERM = "cases.view_case"


def _rate(on_time: int, closed: int) -> float:
    return round(100.0 * on_time / closed, 1) if closed else 0.0


def _closed(user: Any, org: Org) -> Any:
    return Case.objects.restrict(user, "view").filter(org__path__under=org.path, on_time__isnull=False)


def by_item(user: Any, org: Org) -> PanelData:
    rows = (
        _closed(user, org)
        .values("item__name")
        .annotate(closed=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
        .order_by("item__name")
    )
    rows = list(rows)
    return PanelData(
        categories=[r["item__name"] for r in rows],
        series=[
            Series(_("On time (%)"), [_rate(r["on_time"], r["closed"]) for r in rows]),
            Series(_("Closed cases"), [r["closed"] for r in rows]),
        ],
        category_header=_("Service item"),
        note=_("Closed cases (completed or rejected) decided by their promised date, in working days."),
    )


def by_org(user: Any, org: Org) -> PanelData:
    children = list(Org.objects.restrict(user, None).filter(parent=org, is_active=True).order_by("code"))
    base = _closed(user, org)
    aggregates: dict[str, Any] = {}
    for child in children:
        under = Q(org__path__under=child.path)
        aggregates[f"c{child.pk}"] = Count("id", filter=under)
        aggregates[f"t{child.pk}"] = Count("id", filter=under & Q(on_time=True))
    counts = base.aggregate(**aggregates) if aggregates else {}
    return PanelData(
        categories=[c.name for c in children],
        series=[
            Series(_("On time (%)"), [_rate(counts[f"t{c.pk}"], counts[f"c{c.pk}"]) for c in children]),
            Series(_("Closed cases"), [counts[f"c{c.pk}"] for c in children]),
        ],
        category_header=_("Org"),
        drill=[c.code for c in children],
        note=_("Closed cases (completed or rejected) decided by their promised date, in working days."),
    )


def register_panels() -> None:
    register_panel(
        Panel("cases-ontime-item", gettext_lazy("Service cases on time, by item"), by_item, perm=PERM, order=120)
    )
    register_panel(
        Panel("cases-ontime-org", gettext_lazy("Service cases on time, by org"), by_org, perm=PERM, order=121)
    )

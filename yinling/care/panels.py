"""Care's cockpit panels: overdue visits by org, and the open campaigns' progress (done / not done)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.care.models import Campaign, CampaignTarget
from yinling.care.services import selectors
from yinling.core.panels import Panel, PanelData, Series, register_panel
from yinling.orgs.models import Org

CAMPAIGNS_SHOWN = 8


def _org_rows(org: Org, rows: list[tuple[Org | None, int, int]]) -> tuple[list[str], list[str]]:
    names = [child.name if child is not None else _("%(org)s itself") % {"org": org.name} for child, _a, _b in rows]
    codes = [child.code if child is not None else "" for child, _a, _b in rows]
    return names, codes


def overdue_visits(user: Any, org: Org) -> PanelData:
    """Plans on time and overdue under each org one level down: one GROUP BY org."""
    rows = selectors.overdue_by_org(user, org)
    names, codes = _org_rows(org, rows)
    return PanelData(
        categories=names,
        series=[
            Series(_("Visit overdue"), [b for _o, _a, b in rows]),
            Series(_("On time"), [a - b for _o, a, b in rows]),
        ],
        category_header=_("Org"),
        drill=codes,
        note=_("Click an org to see the figures inside it.") if codes else "",
    )


def campaign_progress(user: Any, org: Org) -> PanelData:
    """Targets visited and not yet, for the newest open campaigns the user sees: one GROUP BY campaign."""
    from django.db.models import Count, Q

    campaigns = list(
        Campaign.objects.restrict(user, "view")
        .filter(status=Campaign.Status.OPEN)
        .order_by("-starts_on", "-id")[:CAMPAIGNS_SHOWN]
    )
    grouped = {
        row["campaign_id"]: row
        for row in CampaignTarget.objects.restrict(user, "view")
        .filter(campaign__in=campaigns, org__path__under=org.path)
        .values("campaign_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
    }
    shown = [c for c in campaigns if c.pk in grouped]
    return PanelData(
        categories=[c.name for c in shown],
        series=[
            Series(_("Visited"), [grouped[c.pk]["done"] for c in shown]),
            Series(_("Not yet"), [grouped[c.pk]["total"] - grouped[c.pk]["done"] for c in shown]),
        ],
        category_header=_("Campaign"),
    )


def register_panels() -> None:
    register_panel(
        Panel(
            "care-overdue",
            gettext_lazy("Care visits overdue by org"),
            overdue_visits,
            kind="stacked",
            perm="care.view_careplan",
            order=70,
        )
    )
    register_panel(
        Panel(
            "care-campaigns",
            gettext_lazy("Festival campaigns: visited and not yet"),
            campaign_progress,
            kind="stacked",
            perm="care.view_campaigntarget",
            order=71,
        )
    )

"""The senior university's cockpit panels (core/panels.py): how many retirees have a class site within reach.

- coverage: for each org one level down (drillable), the retirees on register and how many of them live in
  a community (their org) with a site within reach (`nearby`: travel time ≤ CAMPUS_REACH_MINUTES);
- uncovered: the communities (orgs with retirees) inside the viewer's org with no site within reach, most
  retirees first, so a bureau sees where a teaching point would serve the most people.

People are counted with one GROUP BY org (`Retiree.objects.restrict`, never a loop over people); each org
with retirees is then placed once against the sites' grid. An org whose place is unknown (no coordinates of
its own nor of its division) counts as not covered: no site is known to be within reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.campus import nearby
from yinling.core.panels import Panel, PanelData, Series, register_panel
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.models import Retiree

PERM = "registry.view_retiree"
UNCOVERED_SHOWN = 30


@dataclass(frozen=True)
class Community:
    org_id: int
    path: str
    code: str
    name: str
    retirees: int
    covered: bool
    located: bool


def communities(user: Any, org: Org, minutes: float | None = None) -> list[Community]:
    """Every org under `org` (itself included) with retirees on register the user may see, and whether a site
    is within reach of it."""
    counts = dict(
        Retiree.objects.restrict(user, "view")
        .filter(org__path__under=org.path, status=choices.Status.ACTIVE)
        .values("org_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("org_id", "n")
    )
    if not counts:
        return []
    limit = nearby.reach_minutes() if minutes is None else minutes
    sites = nearby.grid(limit)
    orgs = Org.objects.restrict(user, None).filter(pk__in=list(counts)).select_related("division")
    found = []
    for o in orgs.only("pk", "path", "code", "name", "latitude", "longitude", "division"):
        home = nearby.org_point(o)
        covered = home is not None and sites.any_within(home, limit)
        found.append(Community(o.pk, o.path, o.code, o.name, counts[o.pk], covered, home is not None))
    return found


def figures(user: Any, org: Org) -> tuple[int, int]:
    """(retirees on register under org, those whose community has a site within reach)."""
    rows = communities(user, org)
    return sum(c.retirees for c in rows), sum(c.retirees for c in rows if c.covered)


def coverage(user: Any, org: Org) -> PanelData:
    children = list(Org.objects.restrict(user, None).filter(parent=org).order_by("code"))
    by_prefix = {c.path: c.pk for c in children}
    totals: dict[int | None, list[int]] = {}
    for c in communities(user, org):
        rest = c.path[len(org.path) :]
        key = by_prefix.get(org.path + rest.split("/", 1)[0] + "/") if rest else None
        pair = totals.setdefault(key, [0, 0])
        pair[0] += c.retirees
        pair[1] += c.retirees if c.covered else 0
    rows: list[tuple[str, str, int | None]] = [(c.name, c.code, c.pk) for c in children]
    if totals.get(None) or not children:
        rows.insert(0, (_("%(org)s itself") % {"org": org.name}, "" if children else org.code, None))
    people = [totals.get(pk, [0, 0])[0] for _n, _c, pk in rows]
    covered = [totals.get(pk, [0, 0])[1] for _n, _c, pk in rows]
    shares = [round(100 * c / p, 1) if p else 0.0 for p, c in zip(people, covered, strict=True)]
    total, reached = sum(people), sum(covered)
    share = round(100 * reached / total, 1) if total else 0.0
    return PanelData(
        categories=[name for name, _code, _pk in rows],
        series=[
            Series(_("Retirees"), people),
            Series(_("With a site within reach"), covered),
            Series(_("Share within reach (%)"), shares),
        ],
        category_header=_("Org"),
        drill=[code for _name, code, _pk in rows] if children else [],
        note=_(
            "%(share)s%% of %(total)s retirees live within %(minutes)s minutes of a class site (walking, or by bus "
            "with a wait). Click an org to see the figures inside it."
        )
        % {"share": share, "total": total, "minutes": nearby.reach_minutes()},
    )


def uncovered(user: Any, org: Org) -> PanelData:
    rows = sorted((c for c in communities(user, org) if not c.covered), key=lambda c: (-c.retirees, c.code))
    shown = rows[:UNCOVERED_SHOWN]
    note = _("Communities with retirees and no class site within %(minutes)s minutes, most retirees first.") % {
        "minutes": nearby.reach_minutes()
    }
    if len(rows) > len(shown):
        note += " " + _("The first %(n)s of %(total)s are shown.") % {"n": len(shown), "total": len(rows)}
    if any(not c.located for c in shown):
        note += " " + _("“(place unknown)”: the org has no coordinates, nor has its division.")
    unknown = _("(place unknown)")  # outside the f-string below, where makemessages would not find it
    return PanelData(
        categories=[c.name if c.located else f"{c.name} {unknown}" for c in shown],
        series=[Series(_("Retirees"), [c.retirees for c in shown])],
        category_header=_("Community"),
        drill=[c.code for c in shown],
        note=note,
    )


def register_panels() -> None:
    register_panel(
        Panel("campus-coverage", gettext_lazy("Class sites within reach of home"), coverage, perm=PERM, order=70)
    )
    register_panel(
        Panel(
            "campus-uncovered",
            gettext_lazy("Communities with no class site within reach"),
            uncovered,
            perm=PERM,
            order=71,
        )
    )

"""The cockpit's chart panels: modules register them; each counts its figures inside the viewer's subtree.

A panel is a small function `data(user, org) -> PanelData` that answers one chart with a few aggregate
queries (GROUP BY, conditional aggregation; never a loop over people), reading only through
`restrict()`, narrowed to `org`'s subtree. The cockpit page (core/views_cockpit.py) shows the panels
the user may see, each as a chart (ECharts, drawn from the JSON endpoint) and as a table rendered on the
server from the same figures, so the numbers read without JavaScript and by screen readers.

Figures are cached per panel, org, language, day and *scope*: the key holds a digest of the user's
grants (every org path with the permissions held there), so two users share an entry only when they
could see exactly the same rows. Modules register panels in `AppConfig.ready()`; core imports no
domain app (the org model is looked up by name, as `scoping.orgs_where` does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from yinling.core.scoping import grants_of, path_in, user_paths

Kind = Literal["bar", "stacked", "pie", "line", "pyramid"]
KINDS: tuple[str, ...] = ("bar", "stacked", "pie", "line", "pyramid")


@dataclass
class Series:
    name: str
    values: Sequence[float]


@dataclass
class PanelData:
    """One chart's figures: a value per category for each series (the table is the same grid)."""

    categories: list[str]
    series: list[Series]
    category_header: str = ""
    # The org code behind each category when the categories are orgs: a click drills down to it.
    drill: list[str] = field(default_factory=list)
    note: str = ""

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows: one row per category, one column per series (the chart's exact numbers)."""
        headers = [self.category_header, *(s.name for s in self.series)]
        rows = [[cat, *(s.values[i] for s in self.series)] for i, cat in enumerate(self.categories)]
        return headers, rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "series": [{"name": s.name, "values": list(s.values)} for s in self.series],
            "category_header": self.category_header,
            "drill": self.drill,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PanelData:
        return cls(
            categories=list(raw["categories"]),
            series=[Series(s["name"], list(s["values"])) for s in raw["series"]],
            category_header=raw.get("category_header", ""),
            drill=list(raw.get("drill", [])),
            note=raw.get("note", ""),
        )


@dataclass(frozen=True)
class Panel:
    id: str  # a slug: it is in the URL (/cockpit/panels/<id>/)
    title: str | Promise
    # Computes the figures for `user` inside `org`'s subtree; reads only through restrict().
    data: Callable[[Any, Any], PanelData]
    kind: Kind = "bar"
    # Shown when the user holds this permission anywhere, like a NavItem.
    perm: str | None = None
    order: int = 100
    check: Callable[[Any], bool] | None = None

    def visible_to(self, user: Any) -> bool:
        if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") == "retiree":
            return False
        if self.check is not None:
            return self.check(user)
        return bool(user_paths(user, self.perm))


PANELS: list[Panel] = []


def month_starts(today: dt.date, months: int = 12) -> list[dt.date]:
    """The first day of each of the last `months` months, oldest first, this month last (panels by month)."""
    starts = []
    year, month = today.year, today.month
    for _i in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def age_band_label(lo: int, first: int, last: int, width: int) -> str:
    """A panel's age band: "under 55" below `first`, "85 and over" from `last`, else "60–64" (`width` years)."""
    if lo < first:
        return _("under %(age)d") % {"age": first}
    if lo >= last:
        return _("%(age)d and over") % {"age": last}
    return f"{lo}–{lo + width - 1}"


def register_panel(panel: Panel) -> None:
    if panel.kind not in KINDS:
        raise ValueError(f"unknown chart kind {panel.kind!r}")
    if any(existing.id == panel.id for existing in PANELS):
        return  # ready() may run twice in tests
    PANELS.append(panel)
    PANELS.sort(key=lambda p: p.order)


def panels_for(user: Any) -> list[Panel]:
    return [p for p in PANELS if p.visible_to(user)]


def get_panel(panel_id: str) -> Panel:
    for panel in PANELS:
        if panel.id == panel_id:
            return panel
    raise Http404("panel")


# --- the org the figures are for -------------------------------------------------------------------


def _org_model() -> Any:
    return apps.get_model("orgs", "Org")  # by name: core imports no domain app


def scope_roots(user: Any) -> list[Any]:
    """The orgs at the top of the user's scope (one for most users), in path order."""
    roots = user_paths(user, None)
    if not roots:
        return []
    return list(_org_model().objects.restrict(user, None).filter(path__in=roots).order_by("path"))


def cockpit_org(user: Any, code: str | None, roots: list[Any] | None = None) -> Any:
    """The org named by `?org=CODE`, or the top of the user's scope; 404 outside the scope.

    `roots`: the user's scope_roots() when the caller has them already (read them once per request)."""
    if code:
        org = _org_model().objects.restrict(user, None).filter(code=code[:40]).first()
        if org is None:
            raise Http404("org")
        return org
    roots = scope_roots(user) if roots is None else roots
    if not roots:
        raise Http404("org")
    return roots[0]


def drill_path(user: Any, org: Any, roots: list[Any] | None = None) -> list[Any]:
    """The org's ancestors inside the user's scope, top first, ending with the org itself.

    `roots`: the user's scope_roots() when the caller has them: at one of them the path is the org alone."""
    if roots is not None and any(r.pk == org.pk for r in roots):
        return [org]
    paths = user_paths(user, None)
    parts = org.path.rstrip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    prefixes = [p for p in prefixes if path_in(p, paths)]
    return list(_org_model().objects.restrict(user, None).filter(path__in=prefixes).order_by("path"))


# --- the cache -------------------------------------------------------------------------------------


def scope_digest(user: Any) -> str:
    """A digest of everything the user may see: every org path with the permissions held there."""
    grants = sorted((path, tuple(sorted(perms))) for path, perms in grants_of(user))
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:24]


def cache_key(panel: Panel, user: Any, org: Any) -> str:
    # The language: labels are translated; the day: ages and "the last 12 months" move with it.
    day = timezone.localdate().isoformat()
    return f"cockpit:{panel.id}:{org.code}:{translation.get_language()}:{day}:{scope_digest(user)}"


def panel_data(panel: Panel, user: Any, org: Any) -> PanelData:
    """The panel's figures for the user at org, from the cache when another request computed them."""
    key = cache_key(panel, user, org)
    raw = cache.get(key)
    if raw is None:
        raw = panel.data(user, org).as_dict()
        cache.set(key, raw, getattr(settings, "PANEL_CACHE_SECONDS", 300))
    return PanelData.from_dict(raw)

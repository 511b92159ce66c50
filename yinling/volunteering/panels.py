"""The 十百千万 board as cockpit panels (core/panels.py): a few aggregate queries inside the viewer's subtree.

- targets: volunteers and star volunteers under each org one level down (and at the org itself) against
  each org's Target for this year, drillable down the tree; one GROUP BY org;
- hours by month: credited hours of activities in the org's area, the last 12 months (Asia/Shanghai);
- volunteers by age band (this year's age) and by skill; teams by kind.

Volunteers are active volunteers whose registry record is not deleted, counted where their record is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.panels import (
    Panel,
    PanelData,
    Series,
    age_band_label,
    month_starts,
    register_panel,
    scope_digest,
)
from yinling.orgs.models import Org
from yinling.volunteering import hours
from yinling.volunteering.models import Attendance, HoursByMonth, Skill, Target, Team, Volunteer
from yinling.volunteering.services import summary

PERM = "volunteering.view_volunteer"
MONTHS = 12
BAND_FROM, BAND_TO, BAND = 55, 85, 5


def volunteers(user: Any, org: Org) -> QuerySet[Volunteer]:
    return Volunteer.objects.restrict(user, "view").filter(
        is_active=True, retiree__is_deleted=False, retiree__org__path__under=org.path
    )


# The board's three volunteer panels (targets, ages, skills) share one pass over the volunteers: grouped by
# org and birth year, with the star and skill counts. At a province (194,000 volunteers joined to 1,000,000
# records) that is 0.55 s against 1.1 s for three passes; kept a minute, so a cockpit's first view reads it once.
PEOPLE_FIGURES_SECONDS = 60
SKILL_COLUMNS = [f"s_{code}" for code in Skill.values]


def people_figures(user: Any, org: Org) -> list[tuple[int, int | None, int, int, *tuple[int, ...]]]:
    """(org id, birth year, volunteers, star volunteers, one count per skill) for the volunteers under org."""
    key = f"volunteering:people:{scope_digest(user)}:{org.pk}:{timezone.localdate().isoformat()}"
    rows = cache.get(key)
    if rows is None:
        skills = {
            column: Count("id", filter=Q(skills__contains=f"|{code}|"))
            for column, code in zip(SKILL_COLUMNS, Skill.values, strict=True)
        }
        rows = list(
            volunteers(user, org)
            .values("retiree__org_id", born=ExtractYear("retiree__birth_date"))
            .annotate(n=Count("id"), stars=Count("id", filter=Q(stars__gte=1)), **skills)
            .order_by()
            .values_list("retiree__org_id", "born", "n", "stars", *SKILL_COLUMNS)
        )
        cache.set(key, rows, PEOPLE_FIGURES_SECONDS)
    return rows


def _child_of(org: Org, children: list[Org], path: str) -> int | None:
    """The child (one level down) an org path lies under, or None for the org itself."""
    rest = path[len(org.path) :]
    if not rest:
        return None
    prefix = org.path + rest.split("/", 1)[0] + "/"
    for child in children:
        if child.path == prefix:
            return child.pk
    return None


def targets(user: Any, org: Org) -> PanelData:
    """Volunteers and star volunteers against this year's targets, for the org's children (drillable)."""
    children = list(Org.objects.restrict(user, None).filter(parent=org).order_by("code"))
    paths = dict(Org.objects.restrict(user, None).filter(path__under=org.path).values_list("id", "path"))
    totals: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, _born, n, stars, *_skills in people_figures(user, org):
        key = _child_of(org, children, paths[org_id])
        totals[key][0] += n
        totals[key][1] += stars
    year = timezone.localdate().year
    goals = {t.org_id: t for t in Target.objects.restrict(user, None).filter(year=year, org__in=[org, *children])}
    rows: list[tuple[str, str, int | None]] = [(c.name, c.code, c.pk) for c in children]
    if totals.get(None) or not children:
        rows.insert(0, (_("%(org)s itself") % {"org": org.name}, "" if children else org.code, None))

    def goal(pk: int | None, field: str) -> int:
        target = goals.get(pk if pk is not None else org.pk)
        if pk is None and children:
            return 0  # the org's own target is for its whole area, shown on its parent's board
        return int(getattr(target, field, 0) or 0) if target else 0

    return PanelData(
        categories=[name for name, _code, _pk in rows],
        series=[
            Series(_("Volunteers"), [totals[pk][0] if pk in totals else 0 for _n, _c, pk in rows]),
            Series(_("Volunteer target"), [goal(pk, "volunteers") for _n, _c, pk in rows]),
            Series(_("Star volunteers"), [totals[pk][1] if pk in totals else 0 for _n, _c, pk in rows]),
            Series(_("Star volunteer target"), [goal(pk, "star_volunteers") for _n, _c, pk in rows]),
        ],
        category_header=_("Org"),
        drill=[code for _name, code, _pk in rows] if children else [],
        note=_("This year's targets. Click an org to see the figures inside it.") if children else "",
    )



def _hours_by_month_live(user: Any, org: Org, since: dt.datetime) -> dict[dt.date, dict[str, Any]]:
    # Summed per activity, then put in local months here: thousands of activities, millions of check-ins.
    per_activity = (
        Attendance.objects.restrict(user, None, perm=PERM)
        .filter(hours.COUNTED, activity__org__path__under=org.path, activity__start__gte=since)
        .values("activity_id", "activity__start")
        .annotate(h=Sum("credited_hours"), visits=Count("id"))
        .order_by()
    )
    by_month: dict[dt.date, dict[str, Any]] = {}
    for row in per_activity:
        month = timezone.localtime(row["activity__start"]).date().replace(day=1)
        figures = by_month.setdefault(month, {"h": Decimal("0"), "visits": 0})
        figures["h"] += row["h"] or Decimal("0")
        figures["visits"] += row["visits"]
    return by_month


def _hours_by_month_summary(user: Any, org: Org, first: dt.date) -> dict[dt.date, dict[str, Any]]:
    grouped = (
        HoursByMonth.objects.restrict(user, None, perm=PERM)
        .filter(org__path__under=org.path, month__gte=first)
        .values("month")
        .annotate(h=Sum("hours"), visits=Sum("checkins"))
        .order_by()
    )
    return {row["month"]: {"h": row["h"], "visits": row["visits"]} for row in grouped}


def hours_by_month(user: Any, org: Org) -> PanelData:
    """Credited hours (confirmed or needing no review) of activities in the org's area, by month of the start.

    From the summary (`HoursByMonth`) while it is fresh, else summed from the check-ins: the same figures,
    as of the summary's last rebuild (services/summary.py)."""
    months = month_starts(timezone.localdate(), MONTHS)
    since = timezone.make_aware(dt.datetime.combine(months[0], dt.time.min))
    as_of = summary.fresh_since()
    if as_of is None:
        by_month = _hours_by_month_live(user, org, since)
        note = _("Hours from check-in and check-out; a forgotten check-out counts once the leader confirms it.")
    else:
        by_month = _hours_by_month_summary(user, org, months[0])
        note = _(
            "Hours from check-in and check-out, as of %(time)s (updated every few minutes); a forgotten "
            "check-out counts once the leader confirms it."
        ) % {"time": timezone.localtime(as_of).strftime("%H:%M")}
    return PanelData(
        categories=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(_("Credited hours"), [float(by_month.get(m, {}).get("h") or Decimal("0")) for m in months]),
            # Check-ins, not distinct people: counting distinct volunteers a month doubled the query's time.
            Series(_("Check-ins"), [int(by_month.get(m, {}).get("visits") or 0) for m in months]),
        ],
        category_header=_("Month"),
        note=note,
    )


def band_label(lo: int) -> str:
    return age_band_label(lo, BAND_FROM, BAND_TO, BAND)


def by_age(user: Any, org: Org) -> PanelData:
    """Volunteers by 5-year band of this year's age (from the shared pass, by birth year)."""
    year = timezone.localdate().year
    bands = [BAND_FROM - BAND, *range(BAND_FROM, BAND_TO + 1, BAND)]
    counts = [0] * len(bands)
    for _org_id, born, n, *_rest in people_figures(user, org):
        if born is None:
            continue
        age = year - born
        index = 0 if age < BAND_FROM else min((age - BAND_FROM) // BAND + 1, len(bands) - 1)
        counts[index] += n
    return PanelData(
        categories=[band_label(lo) for lo in bands],
        series=[Series(_("Volunteers"), counts)],
        category_header=_("Age this year"),
        note=_("Age is this year minus the year of birth."),
    )


def by_skill(user: Any, org: Org) -> PanelData:
    """Volunteers by skill (a volunteer with several counts under each): a filtered count each."""
    counts = [0] * len(SKILL_COLUMNS)
    for _org_id, _born, _n, _stars, *skills in people_figures(user, org):
        for i, n in enumerate(skills):
            counts[i] += n
    return PanelData(
        categories=[str(label) for _code, label in Skill.choices],
        series=[Series(_("Volunteers"), counts)],
        category_header=_("Skill"),
    )


def teams_by_kind(user: Any, org: Org) -> PanelData:
    grouped = (
        Team.objects.restrict(user, "view", perm=PERM)
        .filter(org__path__under=org.path)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = {row["kind"]: row["n"] for row in grouped}
    return PanelData(
        categories=[str(label) for _code, label in Team.Kind.choices],
        series=[Series(_("Teams"), [counts.get(code, 0) for code in Team.Kind.values])],
        category_header=_("Kind of team"),
    )


def register_panels() -> None:
    for panel in (
        Panel(
            "volunteering-targets",
            gettext_lazy("十百千万: volunteers against targets"),
            targets,
            kind="bar",
            perm=PERM,
            order=60,
        ),
        Panel(
            "volunteering-hours",
            gettext_lazy("Volunteer hours by month"),
            hours_by_month,
            kind="line",
            perm=PERM,
            order=61,
        ),
        Panel("volunteering-ages", gettext_lazy("Volunteers by age"), by_age, kind="bar", perm=PERM, order=62),
        Panel("volunteering-skills", gettext_lazy("Volunteers by skill"), by_skill, kind="bar", perm=PERM, order=63),
        Panel(
            "volunteering-teams",
            gettext_lazy("Volunteer teams by kind"),
            teams_by_kind,
            kind="pie",
            perm=PERM,
            order=64,
        ),
    ):
        register_panel(panel)

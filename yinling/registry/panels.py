"""The registry's cockpit panels (core/panels.py): each a few GROUP BY queries inside the viewer's subtree.

Every query starts from `Retiree.objects.restrict(user, "view")` (soft-deleted records left out) and is
narrowed to the org's subtree with `org__path__under`; Python only reshapes the grouped rows (dozens of
them, never one per person). People "on register" are status active, as the list page's default.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.panels import Panel, PanelData, Series, age_band_label, register_panel
from yinling.core.scoping import can_at
from yinling.orgs.models import Org
from yinling.registry import choices
from yinling.registry.libraries import BUILTIN, is_exact_search, members
from yinling.registry.models import Library, Retiree

# Counting a column the covering index holds (status is never null), not the id it does not, lets
# PostgreSQL answer from the index alone (models.py, retiree_org_living_birth).
ROWS = "status"
PERM = "registry.view_retiree"
# Age bands of five years by this year's age (current year minus birth year, idcard.age_shown): the
# exact age would change on the birthday and, watched day by day, give the birth date away.
BAND_FROM, BAND_TO, BAND = 55, 100, 5
SAVED_LIBRARIES_SHOWN = 10


def people(user: Any, org: Org) -> Any:
    return Retiree.objects.restrict(user, "view").filter(org__path__under=org.path)


def on_register(user: Any, org: Org) -> Any:
    return people(user, org).filter(status=choices.Status.ACTIVE)


def category_status(user: Any, org: Org) -> PanelData:
    """People by status (on register, deceased, moved out), split 离休 / 退休: one GROUP BY."""
    grouped = (
        people(user, org)
        .values("status")
        .annotate(**{cat: Count(ROWS, filter=Q(category=cat)) for cat in choices.Category.values})
    )
    by_status = {row["status"]: row for row in grouped}
    return PanelData(
        categories=[str(label) for label in choices.Status.labels],
        series=[
            Series(str(label), [by_status.get(status, {}).get(cat, 0) for status in choices.Status.values])
            for cat, label in choices.Category.choices
        ],
        category_header=_("Status"),
    )


def band_label(lo: int) -> str:
    return age_band_label(lo, BAND_FROM, BAND_TO, BAND)


def age_pyramid(user: Any, org: Org) -> PanelData:
    """People on register by 5-year band of this year's age and gender: one GROUP BY birth year."""
    year = timezone.localdate().year
    grouped = (
        on_register(user, org).annotate(born=ExtractYear("birth_date")).values("born", "gender").annotate(n=Count(ROWS))
    )
    bands = [BAND_FROM - BAND, *range(BAND_FROM, BAND_TO + 1, BAND)]
    counts: dict[str, list[int]] = {code: [0] * len(bands) for code in choices.Gender.values}
    for row in grouped:  # one row per birth year and gender (about 100), not per person
        age = year - row["born"]
        index = 0 if age < BAND_FROM else min((age - BAND_FROM) // BAND + 1, len(bands) - 1)
        if row["gender"] in counts:
            counts[row["gender"]][index] += row["n"]
    return PanelData(
        categories=[band_label(lo) for lo in bands],
        series=[Series(str(label), counts[code]) for code, label in choices.Gender.choices],
        category_header=_("Age this year"),
        note=_("Age is this year minus the year of birth."),
    )


def by_org(user: Any, org: Org) -> PanelData:
    """People on register under each org one level down (and at the org itself), 离休 / 退休.

    One GROUP BY org over the subtree; the orgs' paths say which child each org lies under."""
    grouped = (
        on_register(user, org)
        .values("org_id")
        .annotate(**{cat: Count(ROWS, filter=Q(category=cat)) for cat in choices.Category.values})
    )
    counts = {row["org_id"]: row for row in grouped}
    children = list(Org.objects.restrict(user, None).filter(parent=org).order_by("code"))
    totals: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(choices.Category.values, 0))
    if counts:
        paths = dict(Org.objects.restrict(user, None).filter(pk__in=list(counts)).values_list("pk", "path"))
        child_by_prefix = {child.path: child.pk for child in children}
        for org_id, row in counts.items():
            path = paths.get(org_id, "")
            rest = path[len(org.path) :]
            child_pk = child_by_prefix.get(org.path + rest.split("/", 1)[0] + "/") if rest else None
            for cat in choices.Category.values:
                totals[child_pk][cat] += row[cat]
    rows: list[tuple[str, str, int | None]] = [(c.name, c.code, c.pk) for c in children]
    if totals.get(None):
        rows.insert(0, (_("%(org)s itself") % {"org": org.name}, "", None))
    return PanelData(
        categories=[name for name, _code, _pk in rows],
        series=[
            Series(str(label), [totals[pk][cat] if pk in totals else 0 for _n, _c, pk in rows])
            for cat, label in choices.Category.choices
        ],
        category_header=_("Org"),
        drill=[code for _name, code, _pk in rows],
        note=_("Click an org to see the figures inside it.") if children else "",
    )


exact_search = is_exact_search  # one reading of the search box for the list page and the panel


def may_count_exactly(user: Any, org: Org) -> bool:
    """Whether the user may count people by an exact sensitive search inside org's subtree: only where they
    may see the values themselves (registry.view_sensitive_retiree at org). Anyone else would learn, count by
    count and org by org, whether and where a hidden ID number or phone is on register; the list limits and
    audits such searches (search_guard), a cached chart could do neither."""
    return can_at(user, Retiree, "view_sensitive", org)


def libraries(user: Any, org: Org) -> PanelData:
    """Sizes of the thematic libraries and special groups: one count each.

    Each special group and library has a small partial index of its own (models.py, `retiree_tag_*`,
    `retiree_party`), so a count apiece reads only its members; one conditional aggregate over everyone
    read the whole table and took four times as long at 1,000,000 people (benchmarks/cockpit.py).
    A saved library that searches by an ID number or phone is left out for a viewer who may not see those
    values there (may_count_exactly)."""
    flags_in_builtins = {b.filters.get("special_flag") for b in BUILTIN}
    names: list[str] = []
    values: list[float] = []
    base = on_register(user, org)
    for b in BUILTIN:
        names.append(b.name)
        values.append(members(user, b.filters).filter(org__path__under=org.path).count())
    for code, label in choices.SpecialFlag.choices:
        if code not in flags_in_builtins:
            names.append(str(label))
            values.append(base.filter(tags__contains=f"|flag:{code}|").count())
    exactly = may_count_exactly(user, org)
    shown = 0
    left_out = False
    for lib in Library.objects.restrict(user, "view").order_by("name"):
        if not exactly and exact_search(lib.filters):
            left_out = True
            continue
        if shown == SAVED_LIBRARIES_SHOWN:
            break
        shown += 1
        names.append(lib.name)
        values.append(members(user, lib.filters).filter(org__path__under=org.path).count())
    return PanelData(
        categories=names,
        series=[Series(_("People on register"), values)],
        category_header=_("Library or group"),
        note=_("Libraries that search by an ID number or phone are left out: you may not see those values here.")
        if left_out
        else "",
    )


def health_living(user: Any, org: Org) -> PanelData:
    """People on register by living situation, split by health: one GROUP BY two columns."""
    grouped = on_register(user, org).values("living", "health").annotate(n=Count(ROWS))
    counts = {(row["living"], row["health"]): row["n"] for row in grouped}
    not_recorded = _("Not recorded")
    living = [*choices.Living.choices, ("", not_recorded)]
    health = [*choices.Health.choices, ("", not_recorded)]
    return PanelData(
        categories=[str(label) for _code, label in living],
        series=[
            Series(str(h_label), [counts.get((l_code, h_code), 0) for l_code, _l in living])
            for h_code, h_label in health
        ],
        category_header=_("Living situation"),
    )


def register_panels() -> None:
    register_panel(
        Panel(
            "registry-category",
            gettext_lazy("People by category and status"),
            category_status,
            kind="stacked",
            perm=PERM,
            order=10,
        )
    )
    register_panel(
        Panel(
            "registry-age",
            gettext_lazy("Age and gender of people on register"),
            age_pyramid,
            kind="pyramid",
            perm=PERM,
            order=20,
        )
    )
    register_panel(
        Panel("registry-orgs", gettext_lazy("People on register by org"), by_org, kind="stacked", perm=PERM, order=30)
    )
    register_panel(
        Panel(
            "registry-libraries",
            gettext_lazy("Thematic libraries and special groups"),
            libraries,
            kind="bar",
            perm=PERM,
            order=40,
        )
    )
    register_panel(
        Panel(
            "registry-health",
            gettext_lazy("Health and living situation"),
            health_living,
            kind="stacked",
            perm=PERM,
            order=50,
        )
    )

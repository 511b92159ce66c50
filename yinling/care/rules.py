"""Who a festival campaign visits: each rule is a filter on the registry (or on care events) that names why a
person is on the list. Only what the registry can tell: 离休 cadres, former leaders (the 老领导 flag), those in
hardship, the widowed (丧偶: widows and widowers of deceased cadres are recorded with that flag), people in
hospital now (an open hospital-stay event), and those whose 80th, 90th or 100th birthday falls in the campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.care.models import CareEvent, EventKind
from yinling.registry import choices


@dataclass(frozen=True)
class Rule:
    code: str
    label: Any
    q: Callable[[dt.date, dt.date], Q]


def _flag(code: str) -> Callable[[dt.date, dt.date], Q]:
    return lambda start, end: Q(tags__contains=f"|flag:{code}|")


def _hospitalised(start: dt.date, end: dt.date) -> Q:
    # Read on the campaign service's authority (its policy check has run).
    stays = (
        CareEvent.objects.unrestricted()
        .filter(kind=EventKind.HOSPITAL, happened_at__date__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    )
    return Q(pk__in=stays.values("retiree_id"))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _milestone(start: dt.date, end: dt.date) -> Q:
    q = Q(pk__in=[])
    for age in (80, 90, 100):
        # Born between (start - age years) and (end - age years): the birthday falls inside the campaign.
        q |= Q(birth_date__gte=_years_before(start, age), birth_date__lte=_years_before(end, age))
    return q


RULES: list[Rule] = [
    Rule("lixiu", _("离休 cadres"), lambda start, end: Q(category=choices.Category.LIXIU)),
    Rule("former_leader", _("Former leaders"), _flag(choices.SpecialFlag.FORMER_LEADER)),
    Rule("hardship", _("In hardship"), _flag(choices.SpecialFlag.HARDSHIP)),
    Rule("widowed", _("Widows and widowers"), _flag(choices.SpecialFlag.WIDOWED)),
    Rule("hospitalised", _("In hospital"), _hospitalised),
    Rule("milestone", _("80th, 90th or 100th birthday"), _milestone),
]
BY_CODE = {rule.code: rule for rule in RULES}


def choices_list() -> list[tuple[str, Any]]:
    return [(rule.code, rule.label) for rule in RULES]


def label_of(codes: str | list[str]) -> str:
    """ "|lixiu|hardship|" or ["lixiu", "hardship"] → "离休 cadres、In hardship" (translated)."""
    items = [c for c in codes.split("|") if c] if isinstance(codes, str) else list(codes)
    return "、".join(str(BY_CODE[c].label) for c in items if c in BY_CODE)

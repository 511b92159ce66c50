"""The care rhythm (DOMAIN.md), as pure functions: when each kind of contact is next due, the default risk
level from the registry record, and the 80th / 90th / 100th birthdays. No database access here."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.care.models import CarePlan, Risk, VisitKind
from yinling.registry import choices

MILESTONES = (80, 90, 100)
# A milestone birthday stays on the due list from a week before until this many days after it.
MILESTONE_GRACE_DAYS = 30
IN_PERSON = {VisitKind.HOME, VisitKind.HOSPITAL, VisitKind.CARE_HOME, VisitKind.TALK}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_visit(risk: str, last: dt.date) -> dt.date:
    """High risk weekly, key monthly, everyone else quarterly."""
    if risk == Risk.HIGH:
        return last + dt.timedelta(days=7)
    return add_months(last, 1 if risk == Risk.KEY else 3)


def event_visit_hours(risk: str) -> int:
    """A visit is due within 24 h of an event for a high-risk person; for others, within a week (settings)."""
    if risk == Risk.HIGH:
        return int(settings.CARE_EVENT_VISIT_HOURS)
    return int(settings.CARE_EVENT_VISIT_HOURS_OTHERS)


def birthday_at(birth: dt.date, age: int) -> dt.date:
    year = birth.year + age
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return birth.replace(year=year)


def next_milestone(birth: dt.date, done: int, today: dt.date) -> dt.date | None:
    """The next 80th / 90th / 100th birthday not yet visited and not more than the grace period past."""
    for age in MILESTONES:
        if age <= done:
            continue
        day = birthday_at(birth, age)
        if day >= today - dt.timedelta(days=MILESTONE_GRACE_DAYS):
            return day
    return None


def milestone_age(birth: dt.date, day: dt.date) -> int | None:
    """The milestone a birthday visit on `day` counts for (within the grace period either side)."""
    for age in MILESTONES:
        if abs((birthday_at(birth, age) - day).days) <= MILESTONE_GRACE_DAYS:
            return age
    return None


def default_risk(retiree: Any, today: dt.date) -> tuple[str, list[str]]:
    """The risk level the record suggests, and the reasons, in plain words.

    High: 90 or older, disabled, seriously ill, or 80+ and living alone. Key: 离休, hardship, living alone
    or in an empty nest, lost their only child, or 80+. Everyone else: normal."""
    age = (
        today.year
        - retiree.birth_date.year
        - ((today.month, today.day) < (retiree.birth_date.month, retiree.birth_date.day))
    )
    flags = set(retiree.special_flags or [])
    alone = retiree.living == choices.Living.ALONE
    high: list[str] = []
    if age >= 90:
        high.append(_("aged 90 or over"))
    if retiree.disabled:
        high.append(_("disabled"))
    if retiree.health == choices.Health.SERIOUS or choices.SpecialFlag.SERIOUS_ILLNESS in flags:
        high.append(_("seriously ill"))
    if age >= 80 and alone:
        high.append(_("80 or over and living alone"))
    if high:
        return Risk.HIGH, high
    key: list[str] = []
    if retiree.category == choices.Category.LIXIU:
        key.append(_("离休 cadre"))
    if choices.SpecialFlag.HARDSHIP in flags:
        key.append(_("in hardship"))
    if alone or retiree.living == choices.Living.EMPTY_NEST:
        key.append(_("living alone or in an empty nest"))
    if choices.SpecialFlag.LOST_ONLY_CHILD in flags:
        key.append(_("lost their only child"))
    if age >= 80:
        key.append(_("aged 80 or over"))
    if key:
        return Risk.KEY, key
    return Risk.NORMAL, []


def recompute(plan: CarePlan, today: dt.date, birth: dt.date) -> None:
    """Set the plan's next dates from its last contacts, risk, open event and milestones (no save).

    An in-person visit counts as the month's contact too, so a call is due a month after the later of
    the two; a talk (in person) counts as a visit as well."""
    start = plan.started_on
    plan.next_visit_on = next_visit(plan.risk, plan.last_visit_on) if plan.last_visit_on else start
    contacts = [d for d in (plan.last_call_on, plan.last_visit_on) if d is not None]
    contact = max(contacts) if contacts else None
    plan.next_call_on = add_months(contact, 1) if contact else start
    plan.next_talk_on = add_months(plan.last_talk_on, 6) if plan.last_talk_on else start
    plan.milestone_on = next_milestone(birth, plan.milestone_done, today)
    dates = [plan.next_visit_on, plan.next_call_on, plan.next_talk_on]
    if plan.event_due_at is not None:
        dates.append(timezone.localtime(plan.event_due_at).date())
    if plan.milestone_on is not None:
        dates.append(plan.milestone_on)
    plan.next_due_on = min(dates)

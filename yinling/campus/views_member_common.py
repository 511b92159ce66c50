"""What the retiree's class pages share: whom a page is for, a section as a card in plain words, the icons.

Whom a page is for: the signed-in retiree, or a relative recorded in the registry whom they chose (`?for=`
on a page, a hidden `for` field on a form: `registry.acting.family_subject` decides), or the retiree staff
act for (代办, `registry.accounts.member_for`). Staff acting for nobody get 404: these are a retiree's pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from yinling.campus import nearby, policy
from yinling.campus.models import Category, Section
from yinling.core.refusals import Refused
from yinling.registry import acting
from yinling.registry.accounts import member_for
from yinling.registry.models import Retiree


@dataclass
class Whom:
    me: Retiree  # the signed-in retiree, or the one staff act for
    subject: Retiree  # whom this page or request is for
    staff: bool = False  # staff acting on the retiree's behalf (代办)
    family: list[Retiree] = field(default_factory=list)  # whom `me` may choose (themselves first)

    @property
    def on_behalf(self) -> bool:
        return self.staff or self.subject.pk != self.me.pk

    @property
    def for_param(self) -> str:
        """The `for` value to carry in links and forms ("" for oneself)."""
        return "" if self.subject.pk == self.me.pk else str(self.subject.pk)


def whom(request: HttpRequest, named: Any = None) -> Whom:
    """The page's subject; raises Refused(not_relative) for someone the retiree may not act for."""
    me, staff = member_for(request)
    if me is None:
        raise Http404  # staff: these are a retiree's own pages
    if staff:
        return Whom(me, me, True, [me])
    family = acting.family_of(me)
    if named in (None, ""):
        return Whom(me, me, False, family)
    chosen = next((r for r in family if str(r.pk) == str(named).strip()), None)
    if chosen is None:
        chosen = acting.family_subject(me, named)  # the registry's one refusal for anyone else
    return Whom(me, chosen, False, family)


def whom_or_self(request: HttpRequest, named: Any = None) -> tuple[Whom, Refused | None]:
    """For a page (GET): a bad `for` shows the retiree's own page with the refusal, not an error."""
    try:
        return whom(request, named), None
    except Refused as exc:
        return whom(request, None), exc


def check_may_act(request: HttpRequest, who: Whom, section: Section) -> None:
    """Staff acting for a retiree need the registrar's right at the section's site (as the API's staff do)."""
    if who.staff and not policy.may_enrol_for_others(request.user, section):
        raise PermissionDenied


# --- a section in plain words ----------------------------------------------------------------------


def clock(t: dt.time) -> str:
    return f"{t.hour}:{t.minute:02d}"


def slot_words(weekday: int, start: dt.time, end: dt.time) -> str:
    """每周一 9:00–11:00: a whole phrase per weekday, so each language words it its own way."""
    phrases = {
        1: _("Every Monday %(start)s–%(end)s"),
        2: _("Every Tuesday %(start)s–%(end)s"),
        3: _("Every Wednesday %(start)s–%(end)s"),
        4: _("Every Thursday %(start)s–%(end)s"),
        5: _("Every Friday %(start)s–%(end)s"),
        6: _("Every Saturday %(start)s–%(end)s"),
        7: _("Every Sunday %(start)s–%(end)s"),
    }
    return phrases.get(weekday, "%(start)s–%(end)s") % {"start": clock(start), "end": clock(end)}


def when_words(section: Section) -> list[str]:
    """One line per weekly slot."""
    return [slot_words(s.weekday, s.start, s.end) for s in section.slots.all()]


def local_moment(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# Small pictures for the course categories (people would rather look than read): 24 × 24 line drawings,
# coloured by the text, always beside the category's name (aria-hidden).
_ICONS: dict[str, str] = {
    Category.CALLIGRAPHY: '<path d="M4 20c3 0 5-2 6-5l8-11 2 2-9 10c-2 2-3 4-7 4z"/><path d="M3 21h8"/>',
    Category.SINGING: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M8 21h8"/>',
    Category.DANCE: '<circle cx="12" cy="4" r="2"/><path d="M12 7v6l-4 8M12 13l4 8M6 9l6-2 6 2"/>',
    Category.TAICHI: '<circle cx="12" cy="12" r="9"/><path d="M12 3a4.5 4.5 0 0 1 0 9 4.5 4.5 0 0 0 0 9"/>'
    '<circle cx="12" cy="7.5" r="1"/><circle cx="12" cy="16.5" r="1"/>',
    Category.PHOTOGRAPHY: '<path d="M3 8h4l2-3h6l2 3h4v11H3z"/><circle cx="12" cy="13" r="3.5"/>',
    Category.PHONE: '<rect x="7" y="2" width="10" height="20" rx="2"/><path d="M11 18h2"/>',
    Category.HEALTH: '<path d="M12 20s-8-5-8-11a4 4 0 0 1 8-1 4 4 0 0 1 8 1c0 6-8 11-8 11z"/>'
    '<path d="M8 12h2l1-2 2 4 1-2h2"/>',
    Category.HISTORY: '<path d="M4 5c3-1 6-1 8 1v14c-2-2-5-2-8-1zM20 5c-3-1-6-1-8 1v14c2-2 5-2 8-1z"/>',
    Category.LANGUAGE: '<path d="M3 5h10M8 3v2M5 5c1 4 4 7 7 8M11 5c-1 4-4 7-7 8"/>'
    '<path d="M13 21l4-9 4 9M14.5 18h5"/>',
    Category.MUSIC: '<path d="M9 18V5l11-2v13"/><circle cx="6.5" cy="18" r="2.5"/><circle cx="17.5" cy="16" r="2.5"/>',
    Category.OTHER: '<path d="M12 3l2.6 5.6 6 .7-4.5 4.1 1.2 6L12 16.4 6.7 19.4l1.2-6L3.4 9.3l6-.7z"/>',
}


def category_icon(code: str) -> SafeString:
    inner = _ICONS.get(code, _ICONS[Category.OTHER])
    return format_html(
        '<svg class="yl-icon campus-icon" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" '
        'aria-hidden="true" focusable="false">{}</svg>',
        mark_safe(inner),  # noqa: S308 (our own constant drawings above)
    )


def categories() -> list[dict[str, Any]]:
    return [{"code": code, "label": label, "icon": category_icon(code)} for code, label in Category.choices]


@dataclass
class Card:
    section: Section
    trip: nearby.Trip | None
    when: list[str]
    icon: SafeString
    category: str

    @property
    def seats_left(self) -> int:
        return self.section.seats_left


def card(section: Section, home: nearby.Point | None) -> Card:
    site = section.site
    return Card(
        section=section,
        trip=nearby.trip(home, nearby.point(site.latitude, site.longitude)),
        when=when_words(section),
        icon=category_icon(section.course.category),
        category=section.course.get_category_display(),
    )


def nearest_first(sections: list[Section], home: nearby.Point | None) -> list[Card]:
    """Cards by travel time from home; sites whose place is unknown last, by course name."""
    cards = [card(s, home) for s in sections]
    cards.sort(
        key=lambda c: (
            c.trip is None,
            c.trip.minutes if c.trip else 0.0,
            c.section.course.name,
            c.section.pk,
        )
    )
    return cards

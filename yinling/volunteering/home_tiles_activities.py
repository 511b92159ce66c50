"""志愿服务 on a retiree's home (core/tiles.py): a tile, and a card for each activity signed up for that
starts today and still waits for a check-in or check-out."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.tiles import Card, Tile, once_per_request, register_cards, register_tile
from yinling.volunteering import policy
from yinling.volunteering.models import Activity
from yinling.volunteering.services import selectors_activities as selectors


def _is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def _is_volunteer(user: Any) -> bool:
    """The tile is for registered volunteers (registering is the people half's page)."""
    return _is_retiree(user) and once_per_request(
        user, "volunteering.is_volunteer", lambda: policy.volunteer_of(user) is not None
    )


def _due(user: Any) -> list[Activity]:
    def find() -> list[Activity]:
        me = policy.volunteer_of(user)
        return selectors.due_today(me) if me is not None else []

    return once_per_request(user, "volunteering.due_today", find)  # type: ignore[no-any-return]


def cards(user: Any) -> list[Card]:
    if not _is_retiree(user):
        return []
    return [
        Card(
            title=gettext("Volunteering today"),
            text=gettext("“%(title)s” at %(place)s starts at %(time)s.")
            % {"title": a.title, "place": a.place, "time": timezone.localtime(a.start).strftime("%H:%M")},
            url=reverse("volunteering:activity_checkin", args=[a.pk]),
            action=gettext("Check in or out"),
        )
        for a in _due(user)
    ]


def register() -> None:
    register_tile(
        Tile(
            "volunteering-activities",
            _("Volunteer service"),
            "people",
            url_name="volunteering:activities",
            order=20,
            applies=_is_volunteer,
            count=lambda user: len(_due(user)),
        )
    )
    register_cards(cards, order=20)

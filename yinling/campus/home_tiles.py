"""老年大学 on a retiree's home (core/tiles.py): a tile into "classes near me", counting the offered seats
waiting for an answer, and a card for each such offer (it has a deadline: missing it passes the seat on)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.tiles import Card, Tile, once_per_request, register_cards, register_tile


def _is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def _offers(user: Any) -> list[Any]:
    def find() -> list[Any]:
        from yinling.campus.models import Enrolment
        from yinling.registry.acting import retiree_of

        me = retiree_of(user)
        if me is None:
            return []
        return list(
            Enrolment.objects.unrestricted()
            .filter(retiree=me, status=Enrolment.Status.OFFERED, offered_until__gt=timezone.now())
            .select_related("section__course")
            .order_by("offered_until")
        )

    return once_per_request(user, "campus.offers", find)  # type: ignore[no-any-return]


def cards(user: Any) -> list[Card]:
    if not _is_retiree(user):
        return []
    return [
        Card(
            title=gettext("A class seat for you"),
            text=gettext("A seat in “%(course)s” is yours if you accept it by %(when)s.")
            % {
                "course": e.section.course.name,
                "when": timezone.localtime(e.offered_until).strftime("%m-%d %H:%M"),
            },
            url=reverse("campus:my_classes"),
            action=gettext("Accept or decline"),
        )
        for e in _offers(user)
    ]


def register() -> None:
    register_tile(
        Tile(
            "campus",
            _("Senior university classes"),
            "mortarboard",
            url_name="campus:classes",
            order=25,
            applies=_is_retiree,
            count=lambda user: len(_offers(user)),
        )
    )
    register_cards(cards, order=25)

"""网上办 on a retiree's home (core/tiles.py): a tile into the services they may apply for, counting their
cases returned for them to fix, a card for each such case, and a tile for the catalogue of external services."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.tiles import Card, Tile, once_per_request, register_cards, register_tile


def _is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def _returned(user: Any) -> list[Any]:
    def find() -> list[Any]:
        from yinling.cases.models import Case
        from yinling.registry.acting import retiree_of

        me = retiree_of(user)
        if me is None:
            return []
        # The retiree's own cases, read on their own authority.
        return list(
            Case.objects.unrestricted()
            .filter(retiree=me, status=Case.Status.RETURNED)
            .select_related("item")
            .order_by("pk")
        )

    return once_per_request(user, "cases.returned", find)  # type: ignore[no-any-return]


def cards(user: Any) -> list[Card]:
    if not _is_retiree(user):
        return []
    return [
        Card(
            title=gettext("Your application needs fixing"),
            text=gettext("Your application for %(item)s was returned to you. See what to fix.")
            % {"item": case.item.name},
            url=reverse("cases:mine_detail", args=[case.pk]),
            action=gettext("Fix and send again"),
        )
        for case in _returned(user)
    ]


def register() -> None:
    register_tile(
        Tile(
            "cases",
            _("Apply for services"),
            "clipboard-check",
            url_name="cases:home",
            order=30,
            applies=_is_retiree,
            count=lambda user: len(_returned(user)),
        )
    )
    register_tile(
        Tile(
            "cases-external",
            _("Other online services"),
            "heart-pulse",
            url_name="cases:external",
            order=31,
            applies=_is_retiree,
        )
    )
    register_cards(cards, order=30)

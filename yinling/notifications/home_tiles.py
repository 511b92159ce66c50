"""Notices on a retiree's home (core/tiles.py): the 通知 tile with the unread count, and the newest unread
notice as a card at the top (opening it marks it read)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.tiles import Card, Tile, register_cards, register_tile
from yinling.notifications.selectors import inbox, unread_count


def cards(user: Any) -> list[Card]:
    newest = inbox(user).filter(read_at__isnull=True).order_by("-id").first()
    if newest is None:
        return []
    return [
        Card(
            title=gettext("A new notice"),
            text=newest.text,
            url=reverse("notifications:open", args=[newest.pk]),
            action=gettext("Read it"),
        )
    ]


def register() -> None:
    register_tile(
        Tile("notices", _("Notices"), "envelope", url_name="notifications:inbox", order=40, count=unread_count)
    )
    register_cards(cards, order=50)

"""A retiree's home, built around what they came to do: tiles that modules register, and at the top the
cards of what needs them first (a service to confirm, a seat offered, a notice unread).

A module registers a `Tile` (shown when `applies(user)`, with an optional count on it) and a card source,
a function giving the `Card`s that wait for the user now. The registry's home page shows them; core
imports no module, so a module that is not installed simply has no tile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def _always(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Tile:
    key: str
    label: str | Promise
    icon: str  # a vendored Bootstrap Icons name
    url_name: str = ""
    url: str = ""  # a fixed address (an anchor on the home page) where there is no URL name
    order: int = 100
    applies: Callable[[Any], bool] = _always
    count: Callable[[Any], int] | None = None  # how many things wait behind the tile (shown on it)

    def href(self) -> str:
        return reverse(self.url_name) if self.url_name else self.url


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    url: str
    action: str  # the button's words: what tapping it does


TILES: list[Tile] = []
CARD_SOURCES: list[tuple[int, Callable[[Any], list[Card]]]] = []


def register_tile(tile: Tile) -> None:
    if all(t.key != tile.key for t in TILES):
        TILES.append(tile)
        TILES.sort(key=lambda t: t.order)


def register_cards(source: Callable[[Any], list[Card]], order: int = 100) -> None:
    if all(s is not source for _o, s in CARD_SOURCES):
        CARD_SOURCES.append((order, source))
        CARD_SOURCES.sort(key=lambda pair: pair[0])


def once_per_request(user: Any, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once for this request's user: a module's tile count and its cards usually ask the same
    question (the time bank's services to confirm), and the home page asks both. Kept on the request's
    user object, which lives as long as the request."""
    memo: dict[str, Any] = user.__dict__.setdefault("_yl_home_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def tiles_for(user: Any) -> list[dict[str, Any]]:
    return [
        {"key": t.key, "label": t.label, "icon": t.icon, "url": t.href(), "count": t.count(user) if t.count else 0}
        for t in TILES
        if t.applies(user)
    ]


def cards_for(user: Any) -> list[Card]:
    return [card for _order, source in CARD_SOURCES for card in source(user)]

"""The staff quick search: one box, answers from every module that registers a provider.

A provider is a function `(user, text) -> list[Hit]` that searches what the user may see (through the
scoping API, as everything does) and returns at most `limit` hits, each with a label that shows no
more than the list page would (masks as the user's role requires). Modules register theirs in
AppConfig.ready(); core imports none of them. The page (`/search/?q=`) works without JavaScript; the
header's box asks for the same page's results fragment with htmx as one types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

LIMIT = 8


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class Provider:
    key: str
    title: str | Promise
    search: Callable[[Any, str, int], list[Hit]]
    order: int = 100
    # Shown only to users this says may use it (e.g. who hold a view permission anywhere).
    visible_to: Callable[[Any], bool] = lambda user: True


PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if all(p.key != provider.key for p in PROVIDERS):
        PROVIDERS.append(provider)
        PROVIDERS.sort(key=lambda p: p.order)


@dataclass(frozen=True)
class Answer:
    provider: Provider
    hits: list[Hit]
    note: str = ""  # a provider's refusal in words (too many searches by whole ID numbers this hour)


def search(user: Any, text: str, limit: int = LIMIT) -> list[Answer]:
    """Each provider the user may use, with its hits for `text` (providers with nothing to say left out)."""
    from yinling.core.refusals import Refused

    text = text.strip()[:50]
    if not text:
        return []
    found = []
    for provider in PROVIDERS:
        if not provider.visible_to(user):
            continue
        try:
            hits = provider.search(user, text, limit)
        except Refused as exc:
            found.append(Answer(provider, [], str(exc.message)))
            continue
        if hits:
            found.append(Answer(provider, hits))
    return found

"""The home page's figures: registered by modules, each counted inside the user's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    count: Callable[[Any], int | None]  # None: not shown to this user
    url_name: str = ""
    order: int = 100


FIGURES: list[Figure] = []


def register_figure(figure: Figure) -> None:
    FIGURES.append(figure)
    FIGURES.sort(key=lambda f: f.order)


def home_figures(user: Any) -> list[dict[str, Any]]:
    from django.urls import reverse

    result = []
    for fig in FIGURES:
        value = fig.count(user)
        if value is not None:
            result.append({"label": fig.label, "value": value, "url": reverse(fig.url_name) if fig.url_name else ""})
    return result

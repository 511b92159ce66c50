"""Sections that apps above accounts add to a person's own account page (the layers forbid importing them here).

An app registers a panel in its AppConfig.ready(): a template and a function of the request that gives the
template's context, or None to leave the panel out for this person. The panel's forms post to the app's own URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class ProfilePanel:
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_panels: dict[str, ProfilePanel] = {}


def register_panel(panel: ProfilePanel) -> None:
    _panels[panel.template] = panel  # by template: a second ready() (tests reload apps) replaces, never doubles


def panels_for(request: HttpRequest) -> list[dict[str, Any]]:
    """[{"template", "context"}] of the panels this person sees, in order."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown

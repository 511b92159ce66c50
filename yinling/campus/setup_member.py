"""Registrations of the retiree's half: the home tile and cards, the coverage panels of the cockpit."""

from __future__ import annotations


def register() -> None:
    from yinling.campus import home_tiles, panels

    home_tiles.register()
    panels.register_panels()

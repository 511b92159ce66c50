"""Registrations of this part of the campus app (filled in by its owner)."""

from __future__ import annotations


def register() -> None:
    pass

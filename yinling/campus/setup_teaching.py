"""Registrations of the teaching half: attendance, lessons, certificates and reports."""

from __future__ import annotations


def register() -> None:
    pass

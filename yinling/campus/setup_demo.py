"""Registrations of the demo part of the campus app: its `seed_demo` seeder."""

from __future__ import annotations


def register() -> None:
    from yinling.campus.demo import seed_campus
    from yinling.core.demo import Seeder, register_seeder

    # After the registry (30), the time bank (40) and volunteering (50): the students are the registry's people.
    register_seeder(Seeder("campus", seed_campus, order=60))

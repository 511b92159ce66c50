"""`seed_demo` runs every module's demo seeder in order; modules register theirs in ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEMO_PASSWORD = "Yinling@2020"


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[[dict[str, Any], Callable[[str], None]], None]  # (options, write)
    order: int = 100


SEEDERS: list[Seeder] = []


def register_seeder(seeder: Seeder) -> None:
    if all(s.name != seeder.name for s in SEEDERS):
        SEEDERS.append(seeder)
        SEEDERS.sort(key=lambda s: s.order)

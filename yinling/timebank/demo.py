"""Demo time bank history (placeholder, filled in below)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def seed_timebank(options: dict[str, Any], write: Callable[[str], None]) -> None:
    write("time bank: nothing yet")

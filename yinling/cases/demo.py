from collections.abc import Callable
from typing import Any


def seed_cases(options: dict[str, Any], write: Callable[[str], None]) -> None:
    pass

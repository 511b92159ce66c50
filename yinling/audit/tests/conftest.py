from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def anchor_file(settings: Any, tmp_path: Path) -> Path:
    """Each test anchors to a file of its own (the setting is empty in tests, i.e. anchoring off)."""
    path = tmp_path / "audit-anchors.jsonl"
    settings.AUDIT_ANCHOR_FILE = str(path)
    return path

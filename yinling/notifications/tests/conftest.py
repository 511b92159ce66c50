from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def sms_file(tmp_path: Path, settings: Any) -> Path:
    """SMS go to a JSON-lines file of the test's own."""
    path = tmp_path / "sms.jsonl"
    settings.SMS_SENDER = "yinling.notifications.senders.FileSender"
    settings.SMS_FILE = str(path)
    return path


def sent_lines(path: Path) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

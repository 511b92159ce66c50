"""How many rows a sheet has, cheaply and roughly: for a progress bar's total before the rows are read."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')
_SHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")


def estimate_rows(path: Path) -> int:
    """Data rows in a CSV (its lines) or the first sheet of an .xlsx (its stated dimension, else its rows)."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open("rb") as fh:
                return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if _SHEET.fullmatch(n))
            if not sheets:
                return 0
            with archive.open(sheets[0]) as fh:
                head = fh.read(4096)
                match = _DIMENSION.search(head)
                if match:
                    return max(0, int(match[1]) - 1)
                # No stated dimension (our own writer, some exporters): count the rows, at C speed.
                count, tail = head.count(b"<row "), head[-5:]
                while chunk := fh.read(1 << 22):
                    count += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                    tail = chunk[-5:]
                return max(0, count - 1)
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0

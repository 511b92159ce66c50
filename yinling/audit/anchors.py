"""Signed heads of the audit chain, kept outside the database.

`manage.py anchor_audit`, run by cron or a systemd timer, appends one line to AUDIT_ANCHOR_FILE
(and, with AUDIT_ANCHOR_SYSLOG, to the local syslog) naming the chain's head: its seq and hash,
the time, and an HMAC signature under AUDIT_CHAIN_KEY. Operators ship the file or the syslog
line off the host, where those who administer the database cannot write. `verify_audit` then
checks every anchored head against the chain: a chain recomputed after an edit no longer has the
anchored hash at the anchored seq, and a chain whose tail was deleted ends below an anchored seq.
Without the key an anchor cannot be forged; without the file it cannot be removed.

One JSON object a line: {"at": ISO time, "seq": N, "hash": H, "key_id": K, "sig": S}.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from yinling.audit import keys


@dataclass(frozen=True)
class Anchor:
    at: str
    seq: int
    hash: str
    key_id: str
    line: int = 0
    file: str = ""

    def message(self) -> bytes:
        return f"{self.seq}:{self.hash}:{self.at}:{self.key_id}".encode()

    def where(self) -> str:
        return f"anchored at {self.at} (line {self.line} of {self.file})"


class AnchoringOff(Exception):
    pass


def path() -> Path:
    if not settings.AUDIT_ANCHOR_FILE:
        raise AnchoringOff("AUDIT_ANCHOR_FILE is empty: the audit chain is not anchored")
    return Path(settings.AUDIT_ANCHOR_FILE)


def enabled() -> bool:
    return bool(settings.AUDIT_ANCHOR_FILE)


def write(seq: int, head_hash: str) -> Anchor:
    """Append a signed head to the anchor file (and syslog): one write of one line, fsynced."""
    kid = keys.current_key_id()
    anchor = Anchor(at=timezone.now().isoformat(), seq=seq, hash=head_hash, key_id=kid, file=str(path()))
    sig = keys.mac(keys.ANCHOR, kid, anchor.message())
    line = json.dumps(
        {"at": anchor.at, "seq": seq, "hash": head_hash, "key_id": kid, "sig": sig}, separators=(",", ":")
    )
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: each line lands at the end whatever else writes; the file never needs to be rewritten,
    # so it can carry the append-only attribute (chattr +a) on the host.
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if settings.AUDIT_ANCHOR_SYSLOG:
        import syslog

        syslog.openlog("yinling-audit", 0, syslog.LOG_AUTH)
        syslog.syslog(syslog.LOG_NOTICE, f"anchor {line}")
    return anchor


def read(source: Path | None = None) -> tuple[list[Anchor], list[str]]:
    """(the anchors whose signature verifies, in file order; a problem for every other line), from
    AUDIT_ANCHOR_FILE or from `source` (a copy shipped elsewhere, for a restore drill)."""
    if source is None:
        if not enabled() or not path().exists():
            return [], []
        source = path()
    elif not source.exists():
        return [], [f"anchor file {source} does not exist"]
    anchors: list[Anchor] = []
    problems: list[str] = []
    with source.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                anchor = Anchor(
                    at=str(data["at"]),
                    seq=int(data["seq"]),
                    hash=str(data["hash"]),
                    key_id=str(data["key_id"]),
                    line=number,
                    file=str(source),
                )
                sig = str(data["sig"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"anchor file line {number}: not an anchor (damaged or edited)")
                continue
            try:
                expected = keys.mac(keys.ANCHOR, anchor.key_id, anchor.message())
            except keys.UnknownKey:
                problems.append(
                    f"anchor file line {number}: signed with key id {anchor.key_id}, "
                    "which AUDIT_CHAIN_KEY does not hold"
                )
                continue
            if not _equal(expected, sig):
                problems.append(f"anchor file line {number}: the signature does not match (forged or edited)")
                continue
            anchors.append(anchor)
    return anchors, problems


def _equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())

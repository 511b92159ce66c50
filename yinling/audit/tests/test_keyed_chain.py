"""The audit trail against someone who can write to the database (issue #9).

Each test edits the tables directly, with the append-only triggers lifted, as a database owner
could; and recomputes whatever they can recompute without AUDIT_CHAIN_KEY.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from yinling.audit import keys, triggers
from yinling.audit.models import AuditRecord, ChainCheckpoint
from yinling.audit.services import (
    GENESIS,
    HASHED_FIELDS,
    AnchorRefused,
    PurgeRefused,
    anchor_head,
    compute_hash,
    purge_before,
    record,
    seal_pending,
    verify_chain,
)

pytestmark = pytest.mark.django_db(transaction=True)

KEY_A = "first-audit-chain-key-0123456789abcdef"
KEY_B = "second-audit-chain-key-fedcba9876543210"


@pytest.fixture(autouse=True)
def _key_a(settings: Any) -> None:
    settings.AUDIT_CHAIN_KEYS = [KEY_A]


@contextmanager
def lifted() -> Iterator[Any]:
    """The triggers off, as a database owner can take them off."""
    triggers.remove(connection)
    try:
        with connection.cursor() as cur:
            yield cur
    finally:
        triggers.install(connection)


def _records(n: int, label: str = "r") -> None:
    for i in range(n):
        record("security", object_type="test", object_repr=f"{label} {i}")
    seal_pending()


def _rewrite_from(seq: int, *, key_id: str = "", **changes: Any) -> None:
    """Change the record at `seq`, then recompute every hash from there on as a database owner can:
    plain SHA-256 (key_id "") or a MAC under a key of their own named with `key_id`."""
    rows = list(AuditRecord.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditRecord.objects.filter(seq=seq - 1).values_list("hash", flat=True).first() or GENESIS
    with lifted() as cur:
        for rec in rows:
            for name, value in changes.items() if rec.seq == seq else ():
                setattr(rec, name, value)
            rec.prev_hash = prev
            values = {name: getattr(rec, name) for name in HASHED_FIELDS}
            with override_settings(AUDIT_CHAIN_KEYS=["the attacker's own key"]):
                own = keys.key_id("the attacker's own key")
                digest = compute_hash(values, own if key_id else "")
            rec.hash = digest
            cur.execute(
                "UPDATE audit_auditrecord SET actor_username = %s, object_repr = %s, prev_hash = %s, hash = %s, "
                "key_id = %s WHERE id = %s",
                [rec.actor_username, rec.object_repr, rec.prev_hash, rec.hash, key_id if key_id else "", rec.id],
            )
            prev = digest


def test_it_seals_every_record_under_the_current_key() -> None:
    _records(3)
    assert set(AuditRecord.objects.values_list("key_id", flat=True)) == {keys.key_id(KEY_A)}
    # Not the plain SHA-256 a database owner could compute.
    rec = AuditRecord.objects.order_by("seq").first()
    assert rec is not None
    assert rec.hash != compute_hash({n: getattr(rec, n) for n in HASHED_FIELDS})
    result = verify_chain()
    assert result.ok, result.problems


def test_it_detects_an_edit_recomputed_without_the_key() -> None:
    _records(5)
    # Recomputed as plain SHA-256: a keyed chain cannot turn unkeyed.
    _rewrite_from(3, object_repr="edited")
    result = verify_chain()
    assert any("seq 3" in p and "without a key" in p for p in result.problems), result.problems
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit")


def test_it_detects_an_edit_recomputed_under_another_key() -> None:
    _records(5)
    own = keys.key_id("the attacker's own key")
    _rewrite_from(2, key_id=own, actor_username="mallory")
    result = verify_chain()
    assert any("seq 2" in p and "does not hold" in p for p in result.problems), result.problems
    # And passing it off as the real key's fails the MAC.
    with lifted() as cur:
        cur.execute("UPDATE audit_auditrecord SET key_id = %s WHERE seq >= 2", [keys.key_id(KEY_A)])
    result = verify_chain()
    assert any("seq 2" in p and "changed" in p for p in result.problems), result.problems


def test_it_detects_a_whole_chain_rewritten_against_the_anchored_head(anchor_file: Path) -> None:
    _records(4)
    anchor = anchor_head()
    assert anchor.seq == AuditRecord.objects.count()
    # The whole chain rewritten as if sealed before keys existed: it links and hashes consistently.
    _rewrite_from(1, actor_username="mallory")
    result = verify_chain()
    assert not result.ok
    assert any(f"seq {anchor.seq}" in p and "differs from the head anchored" in p for p in result.problems)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit")
    # Nor is the rewritten chain anchored.
    with pytest.raises(AnchorRefused):
        anchor_head()


def test_it_detects_a_deleted_tail_below_an_anchored_seq() -> None:
    _records(4)
    anchor_head()
    head = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
    with lifted() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE seq >= %s", [head - 1])
    result = verify_chain()
    assert any(f"seq {head} is missing" in p and "end of the chain" in p for p in result.problems), result.problems
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit")


def test_it_refuses_a_forged_or_edited_anchor(anchor_file: Path) -> None:
    _records(2)
    anchor_head()
    line = json.loads(anchor_file.read_text().splitlines()[0])
    forged = {**line, "seq": line["seq"] + 5}
    with anchor_file.open("a") as handle:
        handle.write(json.dumps(forged) + "\nnot json\n")
    result = verify_chain()
    assert any("line 2" in p and "signature" in p for p in result.problems), result.problems
    assert any("line 3" in p and "not an anchor" in p for p in result.problems)
    with pytest.raises(AnchorRefused):
        anchor_head()


def test_it_anchors_to_the_file_and_verifies_against_it(anchor_file: Path) -> None:
    _records(2)
    call_command("anchor_audit")
    _records(2, "later")
    call_command("anchor_audit")
    lines = [json.loads(x) for x in anchor_file.read_text().splitlines()]
    assert len(lines) == 2 and lines[0]["seq"] < lines[1]["seq"]
    assert all(x["key_id"] == keys.key_id(KEY_A) and len(x["sig"]) == 64 for x in lines)
    result = verify_chain()
    assert result.ok, result.problems
    assert result.anchored_seq == result.head_seq


def test_it_keeps_verifying_records_and_anchors_of_a_rotated_key(settings: Any) -> None:
    _records(3, "under a")
    anchor_head()
    settings.AUDIT_CHAIN_KEYS = [KEY_B, KEY_A]  # the new key first; the old one still verifies
    _records(3, "under b")
    anchor_head()
    assert set(AuditRecord.objects.values_list("key_id", flat=True)) == {keys.key_id(KEY_A), keys.key_id(KEY_B)}
    result = verify_chain()
    assert result.ok, result.problems
    # Dropping the old key too early: its records and its anchor no longer verify, and it says why.
    settings.AUDIT_CHAIN_KEYS = [KEY_B]
    result = verify_chain()
    assert any(keys.key_id(KEY_A) in p and "does not hold" in p for p in result.problems)


def test_it_still_verifies_records_sealed_before_the_chain_was_keyed() -> None:
    _records(3, "old")
    # As migration 0003 leaves them: plain SHA-256, no key id.
    _rewrite_from(1)
    assert set(AuditRecord.objects.values_list("key_id", flat=True)) == {""}
    _records(2, "new")
    assert AuditRecord.objects.filter(key_id=keys.key_id(KEY_A)).count() >= 2
    result = verify_chain()
    assert result.ok, result.problems


def test_it_refuses_to_anchor_a_broken_chain() -> None:
    _records(3)
    with lifted() as cur:
        cur.execute("UPDATE audit_auditrecord SET object_repr = 'edited' WHERE seq = 2")
    with pytest.raises(CommandError, match="does not verify"):
        call_command("anchor_audit")


def _old_records() -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        _records(3, "old")
    _records(1, "new")


def test_it_refuses_to_purge_records_no_anchor_covers() -> None:
    _old_records()
    with pytest.raises(PurgeRefused, match="anchor"):
        purge_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), by="auditor")
    with pytest.raises(CommandError, match="anchor"):
        call_command("purge_audit", before="2025-06-01")
    assert AuditRecord.objects.filter(object_repr__startswith="old").count() == 3
    anchor_head()
    assert purge_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), by="auditor") == 3
    result = verify_chain()
    assert result.ok, result.problems


def test_it_refuses_to_purge_without_an_anchor_file(settings: Any) -> None:
    _old_records()
    settings.AUDIT_ANCHOR_FILE = ""
    with pytest.raises(PurgeRefused, match="AUDIT_ANCHOR_FILE"):
        purge_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), by="auditor")


def test_it_refuses_to_purge_a_chain_that_does_not_verify() -> None:
    _old_records()
    anchor_head()
    with lifted() as cur:
        cur.execute("UPDATE audit_auditrecord SET object_repr = 'edited' WHERE seq = 1")
    with pytest.raises(PurgeRefused, match="does not verify"):
        purge_before(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), by="auditor")


def test_it_detects_the_oldest_records_deleted_around_purge() -> None:
    _records(4)
    anchor_head()
    # A fake purge: the first two records deleted and a checkpoint forged so the rest links up.
    second = AuditRecord.objects.get(seq=2)
    ChainCheckpoint.objects.create(seq=2, hash=second.hash, purged_by="mallory", purged_count=2)
    with lifted() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE seq <= 2")
    result = verify_chain()
    assert any("no purge record accounts for it" in p for p in result.problems), result.problems


def test_it_needs_the_chain_key_in_production(tmp_path: Path) -> None:
    from yinling.core.tests.test_settings import PRODUCTION, run_manage

    without = {k: v for k, v in PRODUCTION.items() if k != "AUDIT_CHAIN_KEY"}
    result = run_manage("check", YINLING_VAR_DIR=str(tmp_path), **without)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY must be set" in result.stderr


def test_it_checks_a_restored_dump_against_the_anchors_written_before_it(anchor_file: Path, tmp_path: Path) -> None:
    _records(3, "before the dump")
    first = anchor_head()
    _records(3, "after the dump")
    anchor_head()
    shipped = tmp_path / "shipped-anchors.jsonl"
    shipped.write_bytes(anchor_file.read_bytes())
    # The restored copy ends where the dump was taken: the later anchor is not its concern.
    with lifted() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE seq > %s", [first.seq])
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit", anchor_file=str(shipped))
    taken = (dt.datetime.fromisoformat(first.at) + dt.timedelta(microseconds=1)).isoformat()
    call_command("verify_audit", anchor_file=str(shipped), anchors_before=taken)
    err = io.StringIO()
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit", anchor_file=str(tmp_path / "typo.jsonl"), stderr=err)
    assert "typo.jsonl does not exist" in err.getvalue()


def test_it_refuses_a_short_chain_key(tmp_path: Path) -> None:
    from yinling.core.tests.test_settings import PRODUCTION, run_manage

    result = run_manage("check", YINLING_VAR_DIR=str(tmp_path), **{**PRODUCTION, "AUDIT_CHAIN_KEY": "guessable"})
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr

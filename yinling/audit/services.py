"""Writing, sealing, verifying and purging the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from yinling.audit import anchors, context, keys
from yinling.audit.models import AuditRecord, ChainCheckpoint, PurgePermit

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5949_4E4C  # "YINL": serialises sealing across processes on PostgreSQL

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_username",
    "on_behalf_of",
    "ip",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "org_path",
    "changes",
    "extra",
    "prev_hash",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, set | frozenset | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    org_path: str | None = None,
    actor: Any = None,
    actor_username: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditRecord:
    """Append one record in the current transaction; it is sealed after commit."""
    entry = AuditRecord.objects.create(
        **record_values(
            action,
            obj,
            changes=changes,
            extra=extra,
            org_path=org_path,
            actor=actor,
            actor_username=actor_username,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
        )
    )
    seal_after_commit()
    return entry


def record_values(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    org_path: str | None = None,
    actor: Any = None,
    actor_username: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> dict[str, Any]:
    """The fields record() writes, for code that inserts the row within a statement of its own
    (the time bank's ledger on PostgreSQL); it must call seal_after_commit() too."""
    ctx = context.current()
    user = actor if actor is not None else ctx.user
    if callable(user) and not hasattr(user, "_meta"):
        user = user()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if org_path is None:
            from yinling.core.scoping import object_path

            org_path = object_path(obj) if hasattr(obj, "scope_path_field") else ""
    return {
        "at": timezone.now(),
        "actor": user,
        "actor_username": actor_username if actor_username is not None else (user.get_username() if user else ""),
        "on_behalf_of": ctx.on_behalf_of,
        "ip": ctx.ip,
        "request_id": ctx.request_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:200],
        "org_path": org_path or "",
        "changes": _jsonable(changes or {}),
        "extra": _jsonable(extra or {}),
    }


def bulk_record(entries: list[dict[str, Any]]) -> None:
    """Many records at once (imports): same context and sealing as record(), one INSERT per batch.

    Each entry has action, object_type, object_id, object_repr, changes, extra and either
    org_path or org_id (resolved to the org's path here).
    """
    if not entries:
        return
    from yinling.orgs.models import Org

    ctx = context.current()
    user = ctx.user() if callable(ctx.user) and not hasattr(ctx.user, "_meta") else ctx.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    org_ids = {e["org_id"] for e in entries if e.get("org_id")}
    paths = dict(Org.objects.filter(pk__in=org_ids).values_list("id", "path")) if org_ids else {}
    now = timezone.now()
    from yinling.core.bulk import insert

    insert(
        AuditRecord,
        [
            AuditRecord(
                at=now,
                actor=user,
                actor_username=user.get_username() if user else "",
                on_behalf_of=ctx.on_behalf_of,
                ip=ctx.ip,
                request_id=ctx.request_id,
                action=e["action"],
                object_type=e["object_type"],
                object_id=e["object_id"],
                object_repr=str(e["object_repr"])[:200],
                org_path=e.get("org_path") or paths.get(e.get("org_id"), ""),
                changes=_jsonable(e.get("changes") or {}),
                extra=_jsonable(e.get("extra") or {}),
            )
            for e in entries
        ],
    )
    seal_after_commit()


def seal_after_commit() -> None:
    """Seal once the transaction commits; once per transaction, however many records it writes.

    A callback registered inside a savepoint that rolls back is dropped with it, and the
    next record registers again, so a committed record always has a seal coming.
    """
    if connection.in_atomic_block and any(entry[1] is _seal_soon for entry in connection.run_on_commit):
        return
    transaction.on_commit(_seal_soon)


def compute_hash(values: dict[str, Any], key_id: str = "") -> str:
    """The record's link in the chain: HMAC-SHA256 under the chain key `key_id` of a canonical JSON
    of its fields, its prev_hash and the key id; with no key id, the plain SHA-256 that records
    sealed before the chain was keyed carry (keys.UnknownKey if the key is not configured)."""
    payload = {name: _jsonable(values[name]) for name in HASHED_FIELDS}
    if isinstance(values["at"], dt.datetime):
        payload["at"] = values["at"].astimezone(dt.UTC).isoformat()
    if not key_id:
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()
    # The key id is part of what is signed, so a record cannot be passed off as sealed by another key.
    payload["key_id"] = key_id
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return keys.mac(keys.CHAIN, key_id, blob.encode())


def _values(rec: AuditRecord) -> dict[str, Any]:
    return {name: getattr(rec, name) for name in HASHED_FIELDS}


def record_verifies(rec: AuditRecord) -> bool:
    """Whether a sealed record's own hash matches its content (not its place in the chain)."""
    try:
        return compute_hash(_values(rec), rec.key_id) == rec.hash
    except keys.UnknownKey:
        return False


def seal_pending(*, wait: bool = True) -> int:
    """Give unsealed records their place in the chain, oldest first. Returns how many.

    On PostgreSQL one transaction seals at a time (an advisory lock). With wait=False (the
    after-commit hook) a transaction that finds the lock taken returns at once, leaving its
    records to the next seal, instead of queueing behind the one sealing: under many
    concurrent writers the chain grows in batches, and commits do not wait for each other.
    """
    total = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    if wait:
                        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
                    else:
                        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
                        if not cur.fetchone()[0]:
                            return total
            # Plain values, not model instances: the hash is computed from the very values read back.
            fields = ["id", *(f for f in HASHED_FIELDS if f not in ("seq", "prev_hash"))]
            pending = list(
                AuditRecord.objects.unrestricted().filter(seq__isnull=True).order_by("id").values(*fields)[:5000]
            )
            if not pending:
                return total
            head = (
                AuditRecord.objects.unrestricted()
                .filter(seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            if head is None:
                head = ChainCheckpoint.objects.order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS)
            seq, prev = int(head[0] or 0), str(head[1])
            kid = keys.current_key_id()
            rows = []
            for rec in pending:
                seq += 1
                rec["seq"], rec["prev_hash"] = seq, prev
                prev = compute_hash(rec, kid)
                rows.append((rec["id"], seq, rec["prev_hash"], prev, kid))
            _write_seals(rows)
        total += len(pending)
        if len(pending) < 5000:
            return total


def _write_seals(rows: list[tuple[int, int, str, str, str]]) -> None:
    """(id, seq, prev_hash, hash, key_id) for each record. On PostgreSQL, one UPDATE per thousand records."""
    table = AuditRecord._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for lo in range(0, len(rows), 1000):
                chunk = rows[lo : lo + 1000]
                values = ", ".join(["(%s::bigint, %s::bigint, %s, %s, %s)"] * len(chunk))
                cur.execute(
                    f"UPDATE {table} AS r SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash, "  # noqa: S608
                    f"key_id = v.key_id FROM (VALUES {values}) AS v (id, seq, prev_hash, hash, key_id) "
                    "WHERE r.id = v.id",
                    [x for row in chunk for x in row],
                )
        else:
            # executemany, not bulk_update: an import seals 100,000 records, and bulk_update's
            # CASE WHEN statements are an order of magnitude slower.
            cur.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",  # noqa: S608
                [(seq, prev_hash, digest, kid, pk) for pk, seq, prev_hash, digest, kid in rows],
            )


# After a commit, seal — but at most every SEAL_INTERVAL seconds per process, and by one thread
# of the process at a time. Sealing one record costs a transaction of its own (six statements and
# a WAL flush), a thousand cost hardly more: under a steady stream of commits the chain grows in
# batches. A record committed within the interval after a seal is sealed by the next commit after
# the interval (or by verify_chain() and the audit pages' verification, which seal first); until
# then it is unsealed, as every record is between its commit and its seal.
SEAL_INTERVAL = 0.1
_SEALING = threading.Lock()
_last_seal = [0.0]


def _seal_soon() -> None:
    now = time.monotonic()
    if now - _last_seal[0] < SEAL_INTERVAL or not _SEALING.acquire(blocking=False):
        return
    try:
        _last_seal[0] = now
        seal_pending(wait=False)
    finally:
        _SEALING.release()


@dataclass
class VerifyResult:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    # Not failures, but what the operator should know (no anchor yet, records not yet anchored).
    notes: list[str] = field(default_factory=list)
    anchored_seq: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _walk(
    result: VerifyResult,
    start_seq: int,
    prev: str,
    anchored: dict[int, list[anchors.Anchor]],
    *,
    keyed_before: bool = False,
) -> None:
    """Check every sealed record after `start_seq`: consecutive seqs, links, each record's hash under
    its key, and the anchored heads that fall on it. Records sealed without a key are accepted only as
    the chain's oldest part: one after a keyed record was downgraded by someone without the key."""
    expected_seq, keyed_seen = start_seq, keyed_before
    qs = AuditRecord.objects.unrestricted().filter(seq__isnull=False, seq__gt=start_seq).order_by("seq")
    for rec in qs.iterator(chunk_size=2000):
        expected_seq += 1
        assert rec.seq is not None
        if rec.seq != expected_seq:
            result.problems.append(
                f"records missing: seq {expected_seq}..{rec.seq - 1} removed (next present is id {rec.id})"
            )
            expected_seq = rec.seq
        if rec.prev_hash != prev:
            result.problems.append(f"seq {rec.seq} (id {rec.id}): link to previous record broken")
        if rec.key_id:
            keyed_seen = True
        elif keyed_seen:
            result.problems.append(
                f"seq {rec.seq} (id {rec.id}): sealed without a key after keyed records (rewritten without the key)"
            )
        try:
            if compute_hash(_values(rec), rec.key_id) != rec.hash:
                result.problems.append(f"seq {rec.seq} (id {rec.id}): content changed after it was recorded")
        except keys.UnknownKey:
            result.problems.append(
                f"seq {rec.seq} (id {rec.id}): sealed under key id {rec.key_id}, which AUDIT_CHAIN_KEY does not "
                "hold (keep a retired key configured until its records are purged)"
            )
        for anchor in anchored.pop(rec.seq, []):
            if anchor.hash != rec.hash:
                result.problems.append(
                    f"seq {rec.seq} (id {rec.id}): its hash differs from the head {anchor.where()}: "
                    "the chain was rewritten after that"
                )
        prev = rec.hash
        result.checked += 1
    result.head_seq, result.head_hash = expected_seq, prev


def verify_chain(*, anchor_file: Path | None = None, anchors_before: dt.datetime | None = None) -> VerifyResult:
    """Walk the chain from the last checkpoint; report every break, gap or edited record, and every
    anchored head (anchors.py) the chain no longer matches.

    `anchor_file` checks against another copy of the anchors (one shipped elsewhere); with
    `anchors_before`, anchors written at or after that time are left out: a restored dump is
    checked against the anchors written before it was taken.
    """
    seal_pending()
    result = VerifyResult()
    checkpoint = ChainCheckpoint.objects.order_by("-seq").first()
    start_seq, start_hash = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS)
    valid, bad = anchors.read(anchor_file)
    if anchors_before is not None:
        valid = [a for a in valid if dt.datetime.fromisoformat(a.at) < anchors_before]
    result.problems.extend(bad)
    anchored: dict[int, list[anchors.Anchor]] = {}
    for anchor in valid:
        if anchor.seq > start_seq:
            anchored.setdefault(anchor.seq, []).append(anchor)
        elif anchor.seq == start_seq and anchor.hash != start_hash:
            result.problems.append(f"the purge checkpoint at seq {start_seq} differs from the head {anchor.where()}")
    _walk(result, start_seq, start_hash, anchored)
    for seq, left in sorted(anchored.items()):
        # Anchored heads the walk never reached: the records were deleted.
        result.problems.append(
            f"seq {seq} is missing, but it was the head {left[0].where()}: "
            + ("records at the end of the chain were removed" if seq > result.head_seq else "records were removed")
        )
    if (
        AuditRecord.objects.unrestricted()
        .filter(seq__isnull=False, seq__lte=(checkpoint.seq if checkpoint else 0))
        .exists()
    ):
        result.problems.append("records older than the purge checkpoint reappeared")
    if checkpoint is not None and not (
        AuditRecord.objects.unrestricted()
        .filter(action=AuditRecord.Action.PURGE, seq__gt=checkpoint.seq, extra__up_to_seq=checkpoint.seq)
        .exists()
    ):
        # purge_before() records every purge in the chain, after the checkpoint; a checkpoint without
        # that record means the oldest records were deleted around purge_audit.
        result.problems.append(f"the chain starts after seq {checkpoint.seq}, but no purge record accounts for it")
    result.anchored_seq = max((a.seq for a in valid), default=0)
    if not anchors.enabled() and anchor_file is None:
        result.notes.append("anchoring is off (AUDIT_ANCHOR_FILE is empty): a rewritten chain would go unnoticed")
    elif not valid:
        result.notes.append("no anchored head yet: run manage.py anchor_audit")
    elif result.head_seq > result.anchored_seq:
        newest = max(valid, key=lambda a: (a.seq, a.line))
        result.notes.append(
            f"{result.head_seq - newest.seq} record(s) after the newest anchored head (seq {newest.seq}, {newest.at})"
        )
    return result


class AnchorRefused(Exception):
    pass


def anchor_head() -> anchors.Anchor:
    """Seal what is pending, check the chain since the newest anchor, and anchor its head.

    Only the part since the newest anchor is walked (an anchor runs every few minutes; the whole
    chain is verify_audit's nightly work), and a broken part is refused: an anchor must never vouch
    for records that were already changed.
    """
    seal_pending()
    valid, bad = anchors.read()
    if bad:
        raise AnchorRefused("refused: the anchor file has lines that do not verify: " + "; ".join(bad))
    checkpoint = ChainCheckpoint.objects.order_by("-seq").first()
    start_seq, start_hash = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS)
    newest = max((a for a in valid if a.seq >= start_seq), key=lambda a: a.seq, default=None)
    keyed_before = False
    result = VerifyResult()
    if newest is not None and newest.seq > start_seq:
        at = AuditRecord.objects.unrestricted().filter(seq=newest.seq).values_list("hash", "key_id").first()
        if at is None or at[0] != newest.hash:
            result.problems.append(f"seq {newest.seq} no longer has the hash {newest.where()}")
        else:
            keyed_before = bool(at[1])
        start_seq, start_hash = newest.seq, newest.hash
    elif newest is not None and newest.hash != start_hash:
        result.problems.append(f"the purge checkpoint at seq {start_seq} differs from the head {newest.where()}")
    if not result.problems:
        _walk(result, start_seq, start_hash, {}, keyed_before=keyed_before)
    if result.problems:
        raise AnchorRefused("refused: the chain does not verify: " + "; ".join(result.problems))
    return anchors.write(result.head_seq, result.head_hash)


class PurgeRefused(Exception):
    pass


def purge_before(cutoff: dt.datetime, *, by: str = "") -> int:
    """Delete the oldest sealed records before `cutoff`; never any younger than the retention floor,
    never from a chain that does not verify, and never records that no anchored head covers (once
    gone, only the anchor outside the database shows that the rest of the chain is the one sealed)."""
    floor = timezone.now() - dt.timedelta(days=settings.AUDIT_MIN_RETENTION_DAYS)
    if cutoff > floor:
        raise PurgeRefused(
            f"refused: records younger than {settings.AUDIT_MIN_RETENTION_DAYS} days are kept "
            f"(the cutoff must be on or before {floor:%Y-%m-%d})"
        )
    if not anchors.enabled():
        raise PurgeRefused("refused: AUDIT_ANCHOR_FILE is empty, and only anchored records may be purged")
    checked = verify_chain()
    if not checked.ok:
        raise PurgeRefused(
            f"refused: the audit chain does not verify ({len(checked.problems)} problem(s); run verify_audit)"
        )
    with transaction.atomic():
        # Only a prefix of the chain may go, so the rest still verifies from the checkpoint.
        first_young = (
            AuditRecord.objects.unrestricted().filter(seq__isnull=False, at__gte=cutoff).order_by("seq").first()
        )
        qs = AuditRecord.objects.unrestricted().filter(seq__isnull=False)
        if first_young is not None:
            qs = qs.filter(seq__lt=first_young.seq)
        last = qs.order_by("-seq").first()
        if last is None or last.seq is None:
            return 0
        if last.seq > checked.anchored_seq:
            raise PurgeRefused(
                f"refused: the purge would delete records up to seq {last.seq}, but the newest anchored head is "
                f"seq {checked.anchored_seq}: run anchor_audit (and ship the anchor) first"
            )
        count = qs.count()
        ChainCheckpoint.objects.create(seq=last.seq, hash=last.hash, purged_by=by, purged_count=count)
        permit = PurgePermit.objects.create()
        qs.delete()
        permit.delete()
        record(
            AuditRecord.Action.PURGE,
            object_type="audit.auditrecord",
            actor_username=by,
            extra={"cutoff": cutoff.isoformat(), "deleted": count, "up_to_seq": last.seq},
        )
    return count

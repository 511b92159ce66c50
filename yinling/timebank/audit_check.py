"""The ledger against the audit trail: what `verify_timebank` adds to recomputing balances.

Recomputing balances catches a balance edited alone. Someone who can write to the database can
also edit consistently: a transfer's amount, its two movements and both cached balances together
(lifting the ledger's triggers). Every transfer was recorded in the audit trail when it was posted
(a `create` record of `timebank.transfer` with kind, amount, from and to), sealed under
AUDIT_CHAIN_KEY and anchored outside the database, which such an editor cannot recompute. So each
transfer must have its audit record, agreeing on kind, amount and accounts, and each record its
transfer; and each transfer exactly its two movements (−amount from, +amount to).

Each record's own hash is checked here; its place in the chain (and so records sealed before the
chain was keyed, whose plain hash anyone can recompute) is verify_audit's, which runs alongside.

Transfers older than the audit trail's purge checkpoint lost their records with the purge: those
below the smallest transfer id still recorded are not looked for.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from yinling.audit.models import AuditRecord, ChainCheckpoint
from yinling.audit.services import record_verifies, seal_pending
from yinling.timebank.models import Movement, Transfer


def _recorded(rec: AuditRecord) -> tuple[str, Decimal | None, str, str]:
    """(kind, amount, from, to) as the record states them (new values of its `changes`)."""

    def new(name: str) -> Any:
        value = rec.changes.get(name) if isinstance(rec.changes, dict) else None
        return value[1] if isinstance(value, list) and len(value) == 2 else None

    try:
        amount: Decimal | None = Decimal(str(new("amount")))
    except (InvalidOperation, ValueError):
        amount = None
    return str(new("kind")), amount, str(new("from")), str(new("to"))


def cross_check() -> list[str]:
    """Every disagreement between the ledger and the audit trail, as one line each."""
    seal_pending()  # as verify_audit does: records committed but not yet sealed get their place first
    problems: list[str] = []
    records: dict[str, list[AuditRecord]] = defaultdict(list)
    for rec in (
        AuditRecord.objects.unrestricted()
        .filter(object_type="timebank.transfer", action=AuditRecord.Action.CREATE)
        .order_by("seq")
        .iterator(chunk_size=5000)
    ):
        records[rec.object_id].append(rec)
    movements: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for transfer_id, account_id, amount in (
        Movement.objects.unrestricted().values_list("transfer_id", "account_id", "amount").iterator(chunk_size=5000)
    ):
        movements[transfer_id].append((account_id, amount))
    floor = 0
    if ChainCheckpoint.objects.exists():
        floor = min((int(i) for i in records if i.isdigit()), default=0)
    fields = ("id", "kind", "from_account_id", "to_account_id", "amount")
    seen: set[str] = set()
    for tid, kind, src, dst, amount in (
        Transfer.objects.unrestricted().order_by("id").values_list(*fields).iterator(chunk_size=5000)
    ):
        key = str(tid)
        seen.add(key)
        stated = f"{kind} {amount} h from account {src} to {dst}"
        expected_moves = sorted([(src, -amount), (dst, amount)])
        if sorted(movements.pop(tid, [])) != expected_moves:
            problems.append(
                f"transfer {tid} ({stated}): its movements are not -{amount} on {src} and +{amount} on {dst}"
            )
        recs = records.get(key, [])
        if not recs:
            if tid >= floor:
                problems.append(f"transfer {tid} ({stated}): no audit record of it")
            continue
        for rec in recs:
            if rec.seq is None or not record_verifies(rec):
                problems.append(f"transfer {tid}: its audit record (id {rec.id}) does not verify; run verify_audit")
                continue
            r_kind, r_amount, r_src, r_dst = _recorded(rec)
            if (r_kind, r_amount, r_src, r_dst) != (kind, amount, str(src), str(dst)):
                problems.append(
                    f"transfer {tid}: the ledger says {stated}, its audit record (seq {rec.seq}) says "
                    f"{r_kind} {r_amount} h from account {r_src} to {r_dst}"
                )
    for key in sorted(set(records) - seen, key=lambda k: (len(k), k)):
        rec = records[key][0]
        problems.append(f"audit record seq {rec.seq} names transfer {key}, which is not in the ledger")
    for tid in sorted(movements):
        problems.append(f"movements of transfer {tid}, which is not in the ledger")
    return problems

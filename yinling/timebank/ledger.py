"""Posting transfers: the only code that writes movements.

Every posting locks the accounts it touches (in id order, so two postings never wait
on each other in a cycle), checks the rules against the locked balances, writes the
transfer, its two movements and the new cached balances, and an audit record — all in
one transaction, so a crash leaves either the whole transfer or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import weakref
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record_values, seal_after_commit
from yinling.core.refusals import Refused  # raised here; other modules import it from the ledger too
from yinling.timebank.models import Account, Movement, Transfer

ZERO = Decimal("0")


def lock(*accounts: Account) -> dict[int, Account]:
    """Lock rows in id order. ORDER BY matters: PostgreSQL locks rows as it returns them, and
    without it a sequential scan returns them in physical order, which differs between
    transactions after updates, and two postings then deadlock."""
    ids = sorted({a.pk for a in accounts})
    if connection.vendor == "postgresql":
        # One plain statement: the time between taking the locks and committing is what bounds
        # throughput on a busy account (a pool), so no ORM work happens inside it.
        prepare_statements()  # once per connection; a dictionary lookup after that
        holding = any(entry[1] is _holding_accounts for entry in connection.run_on_commit)
        gates = [] if holding else _pass_gates(ids)
        try:
            with connection.cursor() as cur:
                execute_prepared(cur, "tb_lock", [ids])
                rows = cur.fetchall()
        finally:
            for gate in reversed(gates):
                gate.release()
        if not holding:
            transaction.on_commit(_holding_accounts)
        orgs = {a.org_id: a.org for a in accounts if a.org_id and "org" in a._state.fields_cache}
        locked = {}
        for row in rows:
            account = Account.from_db(connection.alias, _LOCK_FIELDS, row)
            if account.org_id in orgs:
                account.org = orgs[account.org_id]
            locked[account.pk] = account
        return locked
    # The org comes along (unlocked) for the audit record, saving a query while the rows are held.
    rows = (
        Account.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("org")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {a.pk: a for a in rows}


# The ledger's own statements are PREPAREd once per database connection (the first time a transfer
# uses it, before any row is locked) and EXECUTEd after: PostgreSQL plans them once per
# connection instead of once per transfer. Prepared statements outlive rolled-back transactions.
PREPARED: dict[str, str] = {}
_prepared_on: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def prepare_statements() -> None:
    connection.ensure_connection()
    raw = connection.connection
    if _prepared_on.get(raw):
        return
    with connection.cursor() as cur:
        cur.execute("; ".join(f"PREPARE {name} AS {_numbered(sql)}" for name, sql in PREPARED.items()))
    _prepared_on[raw] = True


def _numbered(sql: str) -> str:
    for i in range(1, sql.count("%s") + 1):
        sql = sql.replace("%s", f"${i}", 1)
    return sql


def execute_prepared(cur: Any, name: str, params: list[Any]) -> None:
    cur.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


# In-process gates, one per account: of the threads of one process wanting the same account, one
# waits for its row lock in PostgreSQL and the others wait here, at no cost to the database. Many
# transactions queued on one row (a pool that every grant and donation touches) cost PostgreSQL
# more work per transfer the longer the queue, and the process's threads more switching; with
# the gates the queue in the database is at most one transaction per process. Taken in id
# order, like the row locks, and released as soon as the row locks are held. A transaction that
# already holds account locks (a second posting in it) skips them; the timeout only guards
# against a transaction that locked an account row some other way waiting here for a thread
# that waits for that row: it then queues in the database as it would without gates.
_GATES: dict[int, threading.Lock] = {}
_GATES_GUARD = threading.Lock()
GATE_TIMEOUT = 2.0


def _pass_gates(ids: list[int]) -> list[threading.Lock]:
    with _GATES_GUARD:
        wanted = [_GATES.setdefault(pk, threading.Lock()) for pk in ids]
    held: list[threading.Lock] = []
    for gate in wanted:
        if not gate.acquire(timeout=GATE_TIMEOUT):
            break
        held.append(gate)
    return held


def _holding_accounts() -> None:
    """Marks, among the transaction's on-commit callbacks, a transaction holding account locks."""


_LOCK_FIELDS = ["id", "kind", "retiree_id", "org_id", "balance", "is_provider"]
_LOCK_SQL = f"SELECT {', '.join(_LOCK_FIELDS)} FROM timebank_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE"  # noqa: S608


def _check_amount(amount: Decimal, unit: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    if amount <= ZERO:
        raise Refused("invalid_amount", _("The hours must be more than 0."))
    if (amount / unit) != (amount / unit).to_integral_value(rounding=ROUND_DOWN):
        raise Refused("invalid_amount", _("The hours must be a whole multiple of %(unit)s hours.") % {"unit": unit})
    return amount


@dataclass
class Posted:
    transfer: Transfer
    overflow: Transfer | None = None


def post(
    kind: str,
    source: Account,
    target: Account,
    amount: Decimal,
    *,
    by: Any = None,
    reason: str = "",
    document_no: str = "",
    request: Any = None,
    reverses: Transfer | None = None,
    on_behalf: bool = False,
    cap: Decimal | None = None,
    pool_for_overflow: Account | None = None,
    daily_cap: Decimal | None = None,
    service_day: dt.date | None = None,
) -> Posted:
    """Move `amount` hours from source to target, atomically and audited.

    With `cap` set (member earnings), anything that would lift the target's balance above
    it goes on to `pool_for_overflow` as a second transfer in the same transaction. With
    `daily_cap` set (a service), the service hours already paid to the target for services
    that took place on `service_day` (today if not given), plus these, must not exceed it.
    """
    if source.pk == target.pk:
        raise Refused("self_transfer", _("An account cannot transfer to itself."))
    # No savepoint of its own (two round trips while the rows are locked): a refusal or error
    # propagates, and the caller's transaction — every service is one — rolls back as a whole.
    with transaction.atomic(savepoint=False):
        # The audit record depends on nothing the locks protect. On PostgreSQL it is written before
        # taking them (same transaction: a refusal rolls it back too), under the transfer's id drawn
        # ahead, so the locked span holds only the transfer's own rows.
        audit = _audit_values(kind, source, target, amount, reason, document_no, on_behalf)
        transfer_id = None
        if connection.vendor == "postgresql":
            prepare_statements()
            transfer_id = _insert_audit(audit, target)
        involved = [source, target] + ([pool_for_overflow] if pool_for_overflow else [])
        locked = lock(*involved)
        src, dst = locked[source.pk], locked[target.pk]
        if daily_cap is not None:
            # Checked under the provider's row lock, so two confirmations cannot both slip under the cap.
            day = service_day or timezone.localdate()
            served = paid_for_day(dst, day)
            if served + amount > daily_cap:
                raise Refused("daily_cap", daily_cap_message(day, served, daily_cap))
        if src.kind != Account.Kind.ISSUANCE and src.balance < amount:
            raise Refused(
                "insufficient_balance",
                _("Not enough hours: %(available)s available, %(needed)s needed.")
                % {"available": src.balance, "needed": amount},
            )
        overflow_amount = ZERO
        if cap is not None and dst.kind == Account.Kind.MEMBER and dst.balance + amount > cap:
            overflow_amount = min(amount, dst.balance + amount - cap)
        creator = by if getattr(by, "is_authenticated", False) else None
        transfer = _write(
            kind, src, dst, amount, creator, reason, document_no, request, reverses, on_behalf, audit, transfer_id
        )
        overflow = None
        if overflow_amount > ZERO:
            pool = locked[pool_for_overflow.pk] if pool_for_overflow else None
            if pool is None:
                raise Refused("cap_exceeded", _("The balance would exceed the cap of %(cap)s hours.") % {"cap": cap})
            overflow = _write(
                Transfer.Kind.CAP_OVERFLOW,
                dst,
                pool,
                overflow_amount,
                creator,
                # Stored as the transfer's reason: data, in the bureau's language whatever the clerk's.
                f"超过余额上限 {cap} 小时的部分转入互助池",
                "",
                request,
                None,
                False,
            )
        return Posted(transfer, overflow)


def _write(
    kind: str,
    src: Account,
    dst: Account,
    amount: Decimal,
    by: Any,
    reason: str,
    document_no: str,
    request: Any,
    reverses: Transfer | None,
    on_behalf: bool,
    audit: dict[str, Any] | None = None,
    transfer_id: int | None = None,
) -> Transfer:
    """Write the transfer, its two movements, both cached balances and (unless written already,
    under `transfer_id`) the audit record.

    On PostgreSQL the transfer's rows are one statement (see _WRITE_SQL): they stay locked
    until the transaction commits, and on a busy account every round trip and every index
    entry written while they are held costs throughput.
    """
    src_after, dst_after = src.balance - amount, dst.balance + amount
    audit = audit or _audit_values(kind, src, dst, amount, reason, document_no, on_behalf)
    if connection.vendor == "postgresql":
        if transfer_id is None:
            transfer_id = _insert_audit(audit, dst)
        now = timezone.now()
        params = [
            transfer_id,
            kind,
            src.pk,
            dst.pk,
            amount,
            reason,
            document_no,
            request.pk if request is not None else None,
            reverses.pk if reverses is not None else None,
            by.pk if by is not None else None,
            on_behalf,
            now,
            now,
            src.pk,
            -amount,
            src_after,
            dst.pk,
            amount,
            dst_after,
            src.pk,
            src_after,
            dst.pk,
            dst_after,
        ]
        with connection.cursor() as cur:
            execute_prepared(cur, "tb_write", params)
        transfer = Transfer.from_db(
            connection.alias,
            _TRANSFER_FIELDS,
            [transfer_id, kind, src.pk, dst.pk, amount, reason, document_no, *params[7:10], on_behalf, now],
        )
        transfer.from_account, transfer.to_account = src, dst
        if request is not None:
            transfer.request = request
        if reverses is not None:
            transfer.reverses = reverses
        if by is not None:
            transfer.created_by = by
    else:
        transfer = Transfer.objects.create(
            kind=kind,
            from_account=src,
            to_account=dst,
            amount=amount,
            reason=reason,
            document_no=document_no,
            request=request,
            reverses=reverses,
            created_by=by,
            on_behalf=on_behalf,
        )
        Movement.objects.bulk_create(
            [
                Movement(transfer=transfer, account=src, amount=-amount, balance_after=src_after),
                Movement(transfer=transfer, account=dst, amount=amount, balance_after=dst_after),
            ]
        )
        Account.objects.filter(pk=src.pk).update(balance=src_after)
        Account.objects.filter(pk=dst.pk).update(balance=dst_after)
        AuditRecord.objects.create(**{**audit, "object_id": str(transfer.pk)})
        seal_after_commit()
    src.balance, dst.balance = src_after, dst_after
    return transfer


_TRANSFER_FIELDS = [
    "id",
    "kind",
    "from_account_id",
    "to_account_id",
    "amount",
    "reason",
    "document_no",
    "request_id",
    "reverses_id",
    "created_by_id",
    "on_behalf",
    "created_at",
]
# The transfer (its id drawn when its audit record was written), its two movements and both
# balances, in one round trip.
_WRITE_SQL = """
WITH t AS (
    INSERT INTO timebank_transfer (id, kind, from_account_id, to_account_id, amount, reason, document_no,
                                   request_id, reverses_id, created_by_id, on_behalf, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    RETURNING id
), m AS (
    INSERT INTO timebank_movement (transfer_id, account_id, amount, balance_after, created_at)
    SELECT t.id, v.account_id, v.amount, v.balance_after, %s::timestamptz
    FROM t, (VALUES (%s::bigint, %s::numeric, %s::numeric), (%s::bigint, %s::numeric, %s::numeric))
         AS v (account_id, amount, balance_after)
)
UPDATE timebank_account AS a SET balance = v.balance
FROM (VALUES (%s::bigint, %s::numeric), (%s::bigint, %s::numeric)) AS v (id, balance)
WHERE a.id = v.id
"""
# The audit record of a transfer about to be written, under the transfer id it draws; the org
# path is the target account's org's.
_AUDIT_SQL = """
INSERT INTO audit_auditrecord (at, actor_id, actor_username, on_behalf_of, ip, request_id, action,
                               object_type, object_id, object_repr, org_path, changes, extra, prev_hash, hash)
VALUES (%s::timestamptz, %s::bigint, %s, %s, %s::inet, %s, %s, %s,
        nextval(pg_get_serial_sequence('timebank_transfer', 'id'))::text, %s,
        COALESCE((SELECT o.path FROM timebank_account AS a JOIN orgs_org AS o ON o.id = a.org_id
                  WHERE a.id = %s::bigint), ''),
        %s::jsonb, %s::jsonb, '', '')
RETURNING object_id
"""


def _insert_audit(audit: dict[str, Any], target: Account) -> int:
    actor = audit["actor"]
    with connection.cursor() as cur:
        cur.execute(
            _AUDIT_SQL,
            [
                audit["at"],
                actor.pk if actor is not None else None,
                audit["actor_username"],
                audit["on_behalf_of"],
                audit["ip"],
                audit["request_id"],
                audit["action"],
                audit["object_type"],
                audit["object_repr"],
                target.pk,
                json.dumps(audit["changes"]),
                json.dumps(audit["extra"]),
            ],
        )
        transfer_id = int(cur.fetchone()[0])
    seal_after_commit()
    return transfer_id


def _audit_values(
    kind: str, src: Account, dst: Account, amount: Decimal, reason: str, document_no: str, on_behalf: bool
) -> dict[str, Any]:
    """The transfer's audit record. Its org path is the target's org's: on PostgreSQL the write
    statement looks it up; elsewhere it is read here."""
    org_path = ""
    if connection.vendor != "postgresql" and dst.org_id:
        org_path = dst.org.path if dst.org else ""
    return record_values(
        AuditRecord.Action.CREATE,
        object_type="timebank.transfer",
        object_repr=str(Transfer(kind=kind, amount=amount)),
        org_path=org_path,
        changes={"kind": [None, kind], "amount": [None, str(amount)], "from": [None, src.pk], "to": [None, dst.pk]},
        extra={"reason": reason, "document_no": document_no, "on_behalf": on_behalf},
    )


def reverse(original: Transfer, *, by: Any, reason: str) -> Transfer:
    """Undo a transfer with a compensating one; nothing is edited or deleted."""
    if not reason.strip():
        raise Refused("reason_required", _("Give a reason for the reversal."))
    if Transfer.objects.unrestricted().filter(reverses=original).exists():
        raise Refused("already_reversed", _("This transfer has already been reversed."))
    try:
        with transaction.atomic():
            return post(
                Transfer.Kind.REVERSAL,
                original.to_account,
                original.from_account,
                original.amount,
                by=by,
                reason=reason,
                reverses=original,
            ).transfer
    except IntegrityError as exc:  # reversed meanwhile by someone else (reverses is unique)
        raise Refused("already_reversed", _("This transfer has already been reversed.")) from exc


@dataclass
class Drift:
    account_id: int
    cached: Decimal
    derived: Decimal


def verify() -> tuple[list[Drift], Decimal, list[int]]:
    """(accounts whose cached balance differs from their movements, the global sum, unbalanced transfers)."""
    sums = dict(
        Movement.objects.unrestricted().values("account").annotate(total=Sum("amount")).values_list("account", "total")
    )
    drifts = [
        Drift(a.pk, a.balance, sums.get(a.pk) or ZERO)
        for a in Account.objects.unrestricted().only("id", "balance").iterator(chunk_size=5000)
        if a.balance != (sums.get(a.pk) or ZERO)
    ]
    total = Account.objects.unrestricted().aggregate(s=Sum("balance"))["s"] or ZERO
    unbalanced = list(
        Movement.objects.unrestricted()
        .values("transfer")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .values_list("transfer", flat=True)
    )
    return drifts, total, unbalanced


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of `day` and of the next one, in the deployment's time zone."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def paid_for_day(provider: Account, day: dt.date) -> Decimal:
    """Service hours paid to `provider` for services that took place on `day` (the day their need's
    time window starts), leaving out payments that were reversed."""
    start, end = day_bounds(day)
    total = (
        Transfer.objects.unrestricted()
        .filter(
            kind=Transfer.Kind.SERVICE,
            to_account=provider,
            request__starts_at__gte=start,
            request__starts_at__lt=end,
            reversed_by__isnull=True,
        )
        .aggregate(s=Sum("amount"))["s"]
    )
    return total or ZERO


def daily_cap_message(day: dt.date, served: Decimal, daily_cap: Decimal) -> str:
    return _("The helper has already served %(served)s hours on %(month)s/%(day)s; the daily cap is %(cap)s hours.") % {
        "month": day.month,
        "day": day.day,
        "served": served,
        "cap": daily_cap,
    }


PREPARED.update(tb_lock=_LOCK_SQL, tb_audit=_AUDIT_SQL, tb_write=_WRITE_SQL)

"""Recording a person's status in a round: staff (a visit, a call), the retiree on their phone, or a relative.

Fifty staff of a city record at once, so each answer locks only its own entry row (`SELECT … FOR UPDATE`):
two answers for the same person queue on that row and the second builds on the first (both in the history),
while answers for different people never wait on each other. Closing the round must not interleave with an
answer: an answer holds a *share* lock on the round row (PostgreSQL `FOR SHARE`; answers do not block one
another), closing takes `FOR UPDATE` on it, so an answer either commits before the close or sees it closed.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.registry import acting
from yinling.rounds import policy
from yinling.rounds.models import EntryStatus, EntryUpdate, Round, RoundEntry, Source

ANSWERS = (EntryStatus.SAFE, EntryStatus.NEEDS_HELP, EntryStatus.UNREACHABLE)
STAFF_SOURCES = (Source.VISIT, Source.CALL)
MAX_NEEDS = 1000


def _share_round(round_id: int) -> str:
    """The round's status, read under a share lock on PostgreSQL (SQLite has one writer at a time)."""
    table = connection.ops.quote_name(Round._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [round_id])  # noqa: S608
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def source_for(by: Any, entry: RoundEntry, given: str = "") -> str:
    """Who answered decides the source for members; staff say how they reached the person (a call by default)."""
    me = acting.retiree_of(by)
    if me is not None:
        return Source.SELF if me.pk == entry.retiree_id else Source.FAMILY
    return given if given in STAFF_SOURCES else Source.CALL


@transaction.atomic
def do_record_entry(
    *,
    by: Any,
    entry: RoundEntry,
    status: str,
    needs: str = "",
    source: str = "",
    version: int | None = None,
) -> RoundEntry:
    """Record one answer for the entry's person; a later answer updates the entry and joins its history.

    Refused: `closed` (the round is closed), `stale` (`version` given and someone recorded since),
    `not_eligible` (not an answer, or help needed without saying what)."""
    if status not in ANSWERS:
        raise Refused("not_eligible", _("Choose safe, needs help or unreachable."))
    needs = (needs or "").strip()
    if status == EntryStatus.NEEDS_HELP and not needs:
        raise Refused("not_eligible", _("Say what help is needed."))
    if len(needs) > MAX_NEEDS:
        raise Refused("not_eligible", _("Say what is needed in at most 1000 characters."))
    if status != EntryStatus.NEEDS_HELP:
        needs = ""
    round_status = _share_round(entry.round_id)
    locked = (
        RoundEntry.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("round", "retiree", "org")
        .get(pk=entry.pk)
    )
    policy.check_record(by, locked)
    if round_status != Round.Status.OPEN:
        raise Refused("closed", _("This round is closed: answers are no longer taken."))
    if version is not None and version != locked.version:
        raise Refused(
            "stale", _("Someone recorded an answer for this person since you looked: check it and try again.")
        )
    old = locked.status
    source = source_for(by, locked, source)
    now = timezone.now()
    locked.status, locked.needs, locked.source = status, needs, source
    locked.recorded_by, locked.recorded_at = by, now
    locked.version += 1
    locked.save(update_fields=["status", "needs", "source", "recorded_by", "recorded_at", "version"])
    on_behalf = source == Source.FAMILY
    EntryUpdate.objects.create(
        entry=locked, status=status, needs=needs, source=source, recorded_by=by, recorded_at=now, on_behalf=on_behalf
    )
    # The needs text may tell of health: kept in the entry and its history, masked in the trail.
    changes: dict[str, Any] = {"status": [old, status]}
    if needs:
        changes["needs"] = ["", "******"]
    record(
        AuditRecord.Action.UPDATE,
        locked,
        actor=by,
        changes=changes,
        extra={
            "event": "round_entry_recorded",
            "round": locked.round_id,
            "retiree": locked.retiree_id,
            "source": source,
        },
    )
    return locked

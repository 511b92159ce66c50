"""Opening and closing a round.

Opening snapshots every living retiree on register in the org's subtree into `RoundEntry` rows with one
INSERT … SELECT in the round's transaction (a city of 150,000 people is one statement, not 150,000 ORM
saves), and writes one audit record for the round with the number of people. The template asks bulk writes
of scoped rows for one audit record per row; here the rows written are the round's own empty placeholders
("not reached yet"), holding nothing about anyone beyond "this person was in the subtree that day", which the
registry's own history already tells. 150,000 sealed records would take most of the 10 s budget and tell
an auditor nothing more than the one record does. Every *answer* recorded later is audited one by one
(services/entries.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.refusals import Refused
from yinling.orgs.models import Org
from yinling.registry.choices import Status as RetireeStatus
from yinling.registry.models import Retiree
from yinling.rounds import policy
from yinling.rounds.models import EntryStatus, Round, RoundEntry

NOTIFY_KIND = "rounds.notify"


def _snapshot(round_: Round, org: Org) -> int:
    """Insert one not-reached entry per living retiree on register under `org`; the number inserted."""
    people = (
        Retiree.objects.unrestricted()
        .filter(org__path__under=org.path, is_deleted=False, status=RetireeStatus.ACTIVE)
        .order_by()
        .annotate(tree=F("org__path"), pinyin=F("name_pinyin"))
        .values_list("id", "org_id", "tree", "pinyin")
    )
    sql, params = people.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(RoundEntry._meta.db_table)
    columns = ", ".join(quote(c) for c in ("round_id", "retiree_id", "org_id", "status", "needs", "source", "version"))
    statement = (
        f"INSERT INTO {table} ({columns}) SELECT %s, p.{quote('id')}, p.{quote('org_id')}, %s, '', '', 0 "  # noqa: S608
        f"FROM ({sql}) p ORDER BY p.{quote('tree')}, p.{quote('pinyin')}, p.{quote('id')}"
    )
    # Inserted in the order the round's lists show people (tree, then name), so ids follow it and a page of
    # a list is a range of the (round, status, id) index, not a sort of a whole city at every page.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")  # a city's sort in memory, not in temporary files
        cursor.execute(statement, [round_.pk, EntryStatus.NOT_REACHED, *params])
        return max(cursor.rowcount, 0)


@transaction.atomic
def do_open_round(*, by: Any, org: Org, title: str) -> Round:
    """Open a round for `org`'s subtree; its people are told to answer (a job, after this commits)."""
    policy.check_open(by, org)
    title = (title or "").strip()
    if not title:
        raise Refused("not_eligible", _("Give the round a title."))
    # One open round per org at a time: two staff opening the same emergency's round at once make one.
    Org.objects.unrestricted().select_for_update().filter(pk=org.pk).first()
    if Round.objects.unrestricted().filter(org=org, status=Round.Status.OPEN).exists():
        raise Refused("duplicate", _("A round is already open for this org: close it before opening another."))
    round_ = Round.objects.create(org=org, title=title[:100], opened_by=by)
    round_.total = _snapshot(round_, org)
    round_.save(update_fields=["total"])
    record(
        AuditRecord.Action.CREATE,
        round_,
        actor=by,
        extra={"event": "round_opened", "people": round_.total, "org": org.code},
    )
    if round_.total:
        from yinling.jobs.services import do_start

        # The notices go out from a worker: writing 150,000 inbox rows is not the opening request's work.
        do_start(
            by=by,
            kind=NOTIFY_KIND,
            org=org,
            params={"round": round_.pk},
            label=_("平安报: asking the people of %(title)s") % {"title": round_.title},
        )
    return round_


def counts(queryset: Any) -> dict[str, int]:
    """{status: number} for every status (zeros included) over these entries."""
    found = {row["status"]: row["n"] for row in _grouped(queryset)}
    return {status: int(found.get(status, 0)) for status in EntryStatus.values}


def _grouped(queryset: Any) -> Any:
    return queryset.order_by().values("status").annotate(n=Count("id"))


@transaction.atomic
def do_close_round(*, by: Any, round_: Round, report: str = "") -> Round:
    """Close the round with its report; the counts at that moment are kept with it."""
    policy.check_close(by, round_)
    locked = Round.objects.unrestricted().select_for_update().select_related("org").get(pk=round_.pk)
    if not locked.is_open:
        raise Refused("closed", _("This round is already closed."))
    summary = counts(RoundEntry.objects.unrestricted().filter(round=locked))
    locked.status = Round.Status.CLOSED
    locked.closed_by = by
    locked.closed_at = timezone.now()
    locked.report = (report or "").strip()
    locked.summary = summary
    locked.save(update_fields=["status", "closed_by", "closed_at", "report", "summary"])
    record(
        AuditRecord.Action.UPDATE,
        locked,
        actor=by,
        changes={"status": [Round.Status.OPEN, Round.Status.CLOSED]},
        extra={"event": "round_closed", "counts": summary},
    )
    return locked

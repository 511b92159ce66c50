"""Read-only queries the pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from yinling.orgs.models import Org
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.rounds.models import EntryStatus, Round, RoundEntry
from yinling.rounds.services.rounds import counts


def entries_in_scope(user: Any, round_: Round, action: str = "view") -> QuerySet[RoundEntry]:
    """The round's entries of people under the orgs where `user` holds `action` on entries."""
    return RoundEntry.objects.restrict(user, action).filter(round=round_)


def progress(user: Any, round_: Round) -> dict[str, Any]:
    """{"total", "by_status", "not_reached"} over the entries the user may see (the API's answer)."""
    by_status = counts(entries_in_scope(user, round_))
    return {"total": sum(by_status.values()), "by_status": by_status, "not_reached": by_status["not_reached"]}


def entry_list(user: Any, round_: Round, *, status: str = "", org: Org | None = None) -> QuerySet[RoundEntry]:
    rows = entries_in_scope(user, round_).select_related("retiree", "org", "recorded_by")
    if status:
        rows = rows.filter(status=status)
    if org is not None:
        rows = rows.filter(org__path__under=org.path)
    # The entries were inserted in tree-then-name order (services/rounds._snapshot): by id is that order, served
    # by the (round, status, id) index, stable while answers come in.
    return rows.order_by("id")


def by_org(user: Any, round_: Round) -> list[dict[str, Any]]:
    """One row per org of the people: its counts by status (the report's table), in tree order."""
    grouped = (
        entries_in_scope(user, round_)
        .order_by()
        .values("org__code", "org__name", "org__path")
        .annotate(
            total=Count("id"),
            **{s: Count("id", filter=Q(status=s)) for s in EntryStatus.values},
        )
    )
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    return sorted(rows, key=lambda row: row["org__path"])


def member_questions(user: Any) -> list[RoundEntry]:
    """Entries of open rounds for a signed-in retiree and the relatives the registry records for them."""
    me = acting.retiree_of(user)
    return questions_of(me) if me is not None else []


def questions_of(me: Retiree) -> list[RoundEntry]:
    """Entries of open rounds for this person and the relatives the registry records for them."""
    people: list[Retiree] = acting.family_of(me)
    # The member's own and their family's: found by their own authority, not a staff scope.
    return list(
        RoundEntry.objects.unrestricted()
        .filter(retiree__in=[p.pk for p in people], round__status=Round.Status.OPEN)
        .select_related("round", "retiree")
        .order_by("-round__opened_at", "id")
    )


def member_entry(me: Retiree, pk: int) -> RoundEntry | None:
    """One of questions_of(me) by id, or None (a stranger's id and a missing one look the same)."""
    for entry in questions_of(me):
        if entry.pk == pk:
            return entry
    return None


def labelled(progress_: dict[str, Any]) -> list[tuple[str, str, int]]:
    """[(status code, label, count)] in the statuses' order, for the pages."""
    return [(code, str(label), progress_["by_status"].get(code, 0)) for code, label in EntryStatus.choices]

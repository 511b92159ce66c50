"""Seats: the one place `Section.taken` changes, by conditional UPDATEs that cannot oversell.

`take()` is `UPDATE section SET taken = taken + 1 WHERE id = %s AND taken < capacity`: the database
decides the race for the last seat (row-level lock for the statement only), so a rush of requests for
one section never waits on a Python-side lock held for a whole request. The check constraint
`campus_seats` (taken <= capacity) backs it up.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from yinling.campus.models import Section, TermLoad
from yinling.registry.models import Retiree


def take(section_id: int) -> bool:
    # Plain SQL: the statement every first-come request runs (bench: campus_rush; the ORM compiled it anew
    # each time for more CPU than the database spent on it).
    with connection.cursor() as cur:
        cur.execute(_TAKE, [section_id])
        return cur.rowcount == 1


_TAKE = f"UPDATE {Section._meta.db_table} SET taken = taken + 1 WHERE id = %s AND taken < capacity"  # noqa: S608


def lock(section_id: int) -> None:
    """Hold the section's row until the transaction ends (a request about to join the waitlist: see
    enrol.do_enrol). A withdrawal's `give_back` holds the same row from its UPDATE to its commit."""
    list(Section.objects.unrestricted().select_for_update().filter(pk=section_id).values_list("pk", flat=True))


def give_back(section_id: int) -> None:
    Section.objects.unrestricted().filter(pk=section_id, taken__gt=0).update(taken=F("taken") - 1)


def lock_person(term_id: int, retiree: Retiree) -> TermLoad:
    """The person's row for the term, locked: their concurrent requests queue here (and only theirs).

    On PostgreSQL one statement: an upsert whose DO UPDATE locks the row it finds (or the row it adds)
    until the transaction ends, as SELECT … FOR UPDATE does (bench: one round trip less on every
    request of the rush). Elsewhere the insert, then the locking read."""
    if connection.vendor == "postgresql":
        table = TermLoad._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (term_id, retiree_id) VALUES (%s, %s) "  # noqa: S608 - our table name
                "ON CONFLICT (term_id, retiree_id) DO UPDATE SET term_id = EXCLUDED.term_id RETURNING id",
                [term_id, retiree.pk],
            )
            (pk,) = cur.fetchone()
        return TermLoad(pk=pk, term_id=term_id, retiree=retiree)
    TermLoad.objects.unrestricted().bulk_create([TermLoad(term_id=term_id, retiree=retiree)], ignore_conflicts=True)
    return TermLoad.objects.unrestricted().select_for_update().get(term_id=term_id, retiree=retiree)

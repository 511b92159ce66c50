"""Enrolment: one clear answer to every request — enrolled, waitlisted at position n, applied (a
lottery window), or `Refused` with why (`closed`, `not_eligible`, `duplicate`, `limit`, `clash`, `full`).

First-come: the person's own row is locked (`seats.lock_person`: their limit and clashes are decided under
it, other people are not held up), then one conditional UPDATE takes a seat. When none is left the
request joins the waitlist, if the section keeps one, at the end of the arrival order. In a lottery
window the request is an application with a rank (1 = first choice) and waits for the draw.

Withdrawing gives the seat back and offers it to the first on the waitlist (`offers.offer_next`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus.models import LIVE, Course, Enrolment, School, Section, Site, Term
from yinling.campus.services import offers, rules, seats
from yinling.core import rows
from yinling.core.refusals import Refused
from yinling.orgs.models import Org
from yinling.registry.models import Retiree


@dataclass(frozen=True)
class Answer:
    status: str  # "enrolled" | "waitlisted" | "applied" | "offered"
    position: int | None = None
    enrolment: Enrolment | None = None


def waitlist_position(enrolment: Enrolment) -> int:
    ahead = (
        Enrolment.objects.unrestricted()
        .filter(section_id=enrolment.section_id, status=Enrolment.Status.WAITLISTED)
        .filter(Q(queue__lt=enrolment.queue) | Q(queue=enrolment.queue, pk__lt=enrolment.pk))
        .count()
    )
    return ahead + 1


def answer_for(enrolment: Enrolment) -> Answer:
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return Answer("waitlisted", waitlist_position(enrolment), enrolment)
    return Answer(enrolment.status, None, enrolment)


def _arrival() -> int:
    """The waitlist's arrival order: microseconds since the epoch (ties broken by id)."""
    return time.time_ns() // 1000


# The section with its term, school, course, site and the site's org: what deciding a request reads (the
# audit record's org path included), in one statement written once (core.rows: bench, the rush).
_SECTION = rows.Joined(
    [
        rows.Part(Section, "s"),
        rows.Part(Term, "t", "term", "s"),
        rows.Part(School, "sc", "school", "t"),
        rows.Part(Course, "c", "course", "s"),
        rows.Part(Site, "si", "site", "s"),
        rows.Part(Org, "o", "org", "si"),
    ],
    where="s.id = %s AND s.is_deleted = %s AND t.is_deleted = %s AND c.is_deleted = %s",
)


def live_section(pk: Any) -> Section:
    """A section anyone may ask for (the catalogue is public to every signed-in person)."""
    from django.http import Http404

    from yinling.core.widgets import MAX_KEY

    text = str(pk)
    if not text.isdigit() or not 0 < int(text) <= MAX_KEY:
        raise Http404
    found = _SECTION.first([int(text), False, False, False])
    if found is None:
        raise Http404
    assert isinstance(found, Section)
    return found


def fee_due(section: Section) -> Any:
    """Fees are due by the term's date, or seven days after enrolling when that is later (late offers)."""
    if not section.fee:
        return None
    week = rules.local_today() + dt.timedelta(days=7)
    due = section.term.fees_due
    return max(due, week) if due else week


@transaction.atomic
def do_enrol(
    *, by: Any, section: Section, retiree: Retiree, on_behalf: bool = False, rank: int | None = None
) -> Answer:
    """`by` asks for a place in `section` for `retiree`. The caller decided who may act for whom
    (registry.acting: the person, a recorded relative, or staff with add_enrolment at the section)."""
    term = section.term
    rules.check_open(term)
    rules.check_eligible(retiree, section)
    seats.lock_person(term.pk, retiree)
    live = rules.live_of(retiree, term)
    actor = by if getattr(by, "is_authenticated", False) else None
    if term.mode == Term.Mode.LOTTERY:
        if any(e.section_id == section.pk for e in live):
            raise Refused("duplicate", _("You have already applied for this class."))
        applied = [e for e in live if e.status == Enrolment.Status.APPLIED]
        if len(applied) >= term.choices:
            raise Refused("limit", _("You can list at most %(n)s choices in this lottery.") % {"n": term.choices})
        taken_ranks = {e.rank for e in applied}
        rank = rank if rank and rank not in taken_ranks and 1 <= rank <= term.choices else None
        rank = rank or min(set(range(1, term.choices + 1)) - taken_ranks)
        enrolment = Enrolment.objects.create(
            section=section,
            term=term,
            retiree=retiree,
            status=Enrolment.Status.APPLIED,
            rank=rank,
            on_behalf=on_behalf,
            by=actor,
        )
        answer = Answer("applied", None, enrolment)
    else:
        rules.check_person(retiree, section, live, limit=term.limit)
        got = seats.take(section.pk)
        if not got and section.waitlist:
            # Full: before joining the waitlist, hold the section's row and try once more. Without this a
            # withdrawal racing this request could give its seat back and offer it down a waitlist this
            # request had not yet joined (uncommitted), leaving it waiting beside a free seat (found by
            # test_concurrency.py). Holding the row, this request either waits for that withdrawal to commit
            # and then takes the seat here, or commits first and is seen (and offered it) by offer_next.
            seats.lock(section.pk)
            got = seats.take(section.pk)
        if got:
            enrolment = Enrolment.objects.create(
                section=section,
                term=term,
                retiree=retiree,
                status=Enrolment.Status.ENROLLED,
                fee_due_on=fee_due(section),
                on_behalf=on_behalf,
                by=actor,
            )
            answer = Answer("enrolled", None, enrolment)
        else:
            if not section.waitlist:
                raise Refused("full", _("Every seat in this class is taken."))
            rules.check_person(retiree, section, live, limit=term.limit, waitlisting=True)
            enrolment = Enrolment.objects.create(
                section=section,
                term=term,
                retiree=retiree,
                status=Enrolment.Status.WAITLISTED,
                queue=_arrival(),
                on_behalf=on_behalf,
                by=actor,
            )
            answer = answer_for(enrolment)
    record(
        AuditRecord.Action.CREATE,
        enrolment,
        extra={"event": f"campus_{answer.status}", "on_behalf": retiree.name if on_behalf else ""},
        org_path=section.site.org.path,
    )
    return answer


@transaction.atomic
def do_withdraw(*, by: Any, section: Section, retiree: Retiree, on_behalf: bool = False) -> Enrolment:
    """Leave a class, a waitlist, an offer or an application; a seat given back goes to the next in line."""
    seats.lock_person(section.term_id, retiree)
    enrolment = (
        Enrolment.objects.unrestricted()
        .select_for_update()
        .filter(section=section, retiree=retiree, status__in=LIVE)
        .first()
    )
    if enrolment is None:
        raise Refused("not_enrolled", _("You have no place or request in this class."))
    before = enrolment.status
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.offered_until = None
    enrolment.save(update_fields=["status", "offered_until", "changed_at"])
    record(
        AuditRecord.Action.UPDATE,
        enrolment,
        changes={"status": [before, enrolment.status]},
        extra={"event": "campus_withdrawn", "on_behalf": retiree.name if on_behalf else ""},
        org_path=section.site.org.path,
    )
    if before in ("enrolled", "offered"):
        seats.give_back(section.pk)
        offers.offer_next(section)
    return enrolment

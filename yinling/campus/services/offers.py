"""Waitlist offers and fees: a freed seat goes to the next person in line, who has a deadline to accept.

`offer_next(section)` runs in the transaction that freed the seat (a withdrawal, a declined or expired
offer, a lapsed fee, more seats): while the section has a free seat and someone is waiting, the first
on its waitlist (lowest `queue`) who can take it — under their limit, no clash — gets status `offered`,
a seat held for them until `offered_until` (the term's `offer_hours`), and a notification. Those who
cannot take it now stay on the list. `expire_offers()` and `lapse_unpaid()` run from cron
(`run_periodic expire_campus_offers`, `lapse_campus_fees`) and pass the seats on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus.models import Enrolment, Section
from yinling.campus.services import rules, seats
from yinling.core.refusals import Refused
from yinling.notifications.services import notify


def _tell(enrolment: Enrolment, kind: str, text: str) -> None:
    account = enrolment.retiree.account
    if account is not None and account.is_active:
        notify(account, kind, text, reverse("campus:my_classes"))


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def offer_next(section: Section, now: dt.datetime | None = None) -> list[Enrolment]:
    """Offer free seats of `section` down its waitlist; returns the offers made."""
    if not section.waitlist:
        return []
    now = now or timezone.now()
    made: list[Enrolment] = []
    waiting = (
        Enrolment.objects.unrestricted()
        .filter(section=section, status=Enrolment.Status.WAITLISTED)
        .select_related("retiree__account", "section__term", "section__course")
        .order_by("queue", "pk")
    )
    term = section.term
    for candidate in waiting.iterator(chunk_size=50):
        locked = Section.objects.unrestricted().get(pk=section.pk)
        if locked.taken >= locked.capacity:
            break
        # No lock on the candidate here (their own requests lock person then section; this runs with the
        # section's row held): a soft check, decided for good under their lock when they accept.
        live = rules.live_of(candidate.retiree, term)
        held = [e for e in live if e.status in ("enrolled", "offered")]
        if len(held) >= term.limit or rules.clash_with(section, held) is not None:
            continue  # cannot take it now; keeps their place in line
        if not seats.take(section.pk):
            break
        candidate.status = Enrolment.Status.OFFERED
        candidate.offered_until = now + dt.timedelta(hours=term.offer_hours)
        candidate.save(update_fields=["status", "offered_until", "changed_at"])
        record(
            AuditRecord.Action.UPDATE,
            candidate,
            changes={"status": ["waitlisted", "offered"]},
            extra={"event": "campus_offered", "until": candidate.offered_until.isoformat()},
            org_path=section.site.org.path,
        )
        _tell(
            candidate,
            "campus.seat_offered",
            _("A seat in “%(section)s” is yours if you accept it by %(when)s.")
            % {"section": section, "when": _when(candidate.offered_until)},
        )
        made.append(candidate)
    return made


def _locked_offer(section: Section, retiree: Any) -> Enrolment:
    seats.lock_person(section.term_id, retiree)
    offer = (
        Enrolment.objects.unrestricted()
        .select_for_update()
        .filter(section=section, retiree=retiree, status=Enrolment.Status.OFFERED)
        .first()
    )
    if offer is None:
        raise Refused("no_offer", _("There is no seat offered to you in this class."))
    return offer


@transaction.atomic
def do_accept(*, by: Any, section: Section, retiree: Any, on_behalf: bool = False) -> Enrolment:
    offer = _locked_offer(section, retiree)
    if offer.offered_until is not None and offer.offered_until <= timezone.now():
        raise Refused("closed", _("This offer ran out at %(when)s.") % {"when": _when(offer.offered_until)})
    held = [e for e in rules.live_of(retiree, section.term) if e.status in ("enrolled", "offered") and e.pk != offer.pk]
    if len(held) >= section.term.limit:
        raise Refused(
            "limit",
            _("You already take %(n)s classes this term; withdraw from one to accept this seat.")
            % {"n": section.term.limit},
        )
    other = rules.clash_with(section, held)
    if other is not None:
        raise Refused(
            "clash", _("This class is at the same time as “%(other)s”, which you already take.") % {"other": other}
        )
    offer.status = Enrolment.Status.ENROLLED
    offer.offered_until = None
    from yinling.campus.services.enrol import fee_due

    offer.fee_due_on = fee_due(section)
    offer.save(update_fields=["status", "offered_until", "fee_due_on", "changed_at"])
    record(
        AuditRecord.Action.UPDATE,
        offer,
        changes={"status": ["offered", "enrolled"]},
        extra={"event": "campus_accepted", "on_behalf": retiree.name if on_behalf else ""},
        org_path=section.site.org.path,
    )
    return offer


def _pass_on(offer: Enrolment, status: str, event: str) -> None:
    offer.status = status
    offer.offered_until = None
    offer.save(update_fields=["status", "offered_until", "changed_at"])
    record(
        AuditRecord.Action.UPDATE,
        offer,
        changes={"status": ["offered", status]},
        extra={"event": event},
        org_path=offer.section.site.org.path,
    )
    seats.give_back(offer.section_id)
    offer_next(offer.section)


@transaction.atomic
def do_decline(*, by: Any, section: Section, retiree: Any, on_behalf: bool = False) -> Enrolment:
    offer = _locked_offer(section, retiree)
    _pass_on(offer, Enrolment.Status.DECLINED, "campus_declined")
    return offer


def _sweep(match: Q, act: Callable[[Enrolment], None]) -> int:
    """`act` on each enrolment matching `match`, one transaction and row lock each, the match checked again
    under the lock (a student may have accepted or paid meanwhile). Returns how many were acted on."""
    due = list(Enrolment.objects.unrestricted().filter(match).values_list("pk", flat=True))
    done = 0
    for pk in due:
        with transaction.atomic():
            row = (
                Enrolment.objects.unrestricted()
                # Only the enrolment's row: PostgreSQL cannot lock the nullable side of the outer join
                # to retiree__account ("FOR UPDATE cannot be applied to the nullable side of an outer join").
                .select_for_update(of=("self",))
                .select_related("section__term", "section__site__org", "retiree__account")
                .filter(match, pk=pk)
                .first()
            )
            if row is not None:
                act(row)
                done += 1
    return done


def expire_offers(now: dt.datetime | None = None) -> int:
    """Offers past their deadline expire; the seat moves on. Returns how many."""
    now = now or timezone.now()

    def expire(offer: Enrolment) -> None:
        _pass_on(offer, Enrolment.Status.EXPIRED, "campus_offer_expired")
        _tell(
            offer,
            "campus.offer_expired",
            _("The seat offered to you in “%(section)s” was not accepted in time and has gone to the next person.")
            % {"section": offer.section},
        )

    return _sweep(Q(status=Enrolment.Status.OFFERED, offered_until__lte=now), expire)


def lapse_unpaid(today: dt.date | None = None) -> int:
    """Enrolments whose fee is still unpaid after its due date lose the seat; it is offered on."""
    today = today or rules.local_today()

    def lapse(row: Enrolment) -> None:
        row.status = Enrolment.Status.LAPSED
        row.save(update_fields=["status", "changed_at"])
        record(
            AuditRecord.Action.UPDATE,
            row,
            changes={"status": ["enrolled", "lapsed"]},
            extra={"event": "campus_fee_lapsed", "due": str(row.fee_due_on)},
            org_path=row.section.site.org.path,
        )
        seats.give_back(row.section_id)
        _tell(
            row,
            "campus.fee_lapsed",
            _("The fee for “%(section)s” was not paid by %(day)s, so the seat has gone to the next person.")
            % {"section": row.section, "day": row.fee_due_on},
        )
        offer_next(row.section)

    return _sweep(Q(status=Enrolment.Status.ENROLLED, fee_due_on__lt=today, fee_paid_on__isnull=True), lapse)


@transaction.atomic
def do_record_fee(*, by: Any, enrolment: Enrolment, paid_on: dt.date) -> Enrolment:
    """A registrar records the fee as paid (staff with change_enrolment at the section's site)."""
    from yinling.campus import policy

    policy.check_at(by, Enrolment, "change", enrolment.section.site.org)
    row = Enrolment.objects.unrestricted().select_for_update().get(pk=enrolment.pk)
    if row.status != Enrolment.Status.ENROLLED:
        raise Refused("closed", _("Only an enrolled student's fee can be recorded."))
    before = row.fee_paid_on
    row.fee_paid_on = paid_on
    row.save(update_fields=["fee_paid_on", "changed_at"])
    record(
        AuditRecord.Action.UPDATE,
        row,
        changes={"fee_paid_on": [str(before) if before else None, str(paid_on)]},
        extra={"event": "campus_fee_paid"},
        org_path=enrolment.section.site.org.path,
    )
    return row

"""The draw's two ways of writing its results (services/draw.py): PostgreSQL's one UPDATE joined to arrays
and the portable ORM path leave the same rows behind — every status, waitlist place, fee date and seat count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from yinling.campus.models import Enrolment, Section, Term
from yinling.campus.services import draw, enrol
from yinling.campus.tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _state(term: Term) -> tuple[list[Any], list[Any]]:
    rows = list(
        Enrolment.objects.unrestricted()
        .filter(term=term)
        .order_by("pk")
        .values_list("pk", "status", "queue", "fee_due_on", "rank")
    )
    seats = list(Section.objects.unrestricted().filter(term=term).order_by("pk").values_list("pk", "taken"))
    return rows, seats


def _draw_and_read(term: Term, by: Any, one_statement: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(draw, "APPLY_IN_ONE_STATEMENT", one_statement)
    with transaction.atomic():
        done = draw.do_draw(by=by, term=Term.objects.unrestricted().get(pk=term.pk))
        state = _state(term), done.digest
        transaction.set_rollback(True)
    return state


def test_it_writes_the_same_results_either_way(campus, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    term = f.term(campus.school, mode=Term.Mode.LOTTERY, fees_due=timezone.localdate() + dt.timedelta(days=40))
    sections = [
        f.section(term, campus.site, capacity=2, fee=Decimal("80"), slots=((1, "09:00", "11:00"),)),
        f.section(term, campus.site, capacity=1, slots=((1, "10:00", "12:00"),)),  # clashes with the first
        f.section(term, campus.site, capacity=3, waitlist=False, slots=((2, "09:00", "11:00"),)),
        f.section(term, campus.site, capacity=1, fee=Decimal("50"), slots=((3, "09:00", "11:00"),)),
    ]
    for i in range(9):
        person = f.person(campus.cast.tree.unit_a)
        for k in range(3):
            section = sections[(i + k) % len(sections)]
            enrol.do_enrol(by=person.account, section=section, retiree=person)
    before = _state(term)
    with time_machine.travel(term.apply_until + dt.timedelta(minutes=1)):
        portable = _draw_and_read(term, campus.cast.clerk, False, monkeypatch)
        assert _state(term) == before  # rolled back
        one = _draw_and_read(term, campus.cast.clerk, True, monkeypatch)
    assert one == portable
    rows, seats = one[0]
    statuses = {status for _pk, status, *_rest in rows}
    assert statuses == {"enrolled", "waitlisted", "not_drawn"}  # every kind of write was exercised
    assert any(due is not None for _pk, status, _q, due, _r in rows if status == "enrolled")
    assert sum(taken for _pk, taken in seats) == sum(1 for r in rows if r[1] == "enrolled")

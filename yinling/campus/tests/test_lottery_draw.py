"""The lottery end to end: applications, the draw, the published record, verify_lottery."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from yinling.campus import lottery
from yinling.campus.models import Enrolment, LotteryDraw, Term
from yinling.campus.services import draw, enrol
from yinling.campus.tests import factories as f
from yinling.core.refusals import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery_term(campus):  # type: ignore[no-untyped-def]
    term = f.term(campus.school, mode=Term.Mode.LOTTERY)
    s1 = f.section(term, campus.site, capacity=2, slots=((1, "09:00", "11:00"),))
    s2 = f.section(term, campus.site, capacity=1, slots=((2, "09:00", "11:00"),))
    people = [f.person(campus.cast.tree.unit_a) for _ in range(5)]
    for p in people:
        assert enrol.do_enrol(by=p.account, section=s1, retiree=p, rank=1).status == "applied"
        enrol.do_enrol(by=p.account, section=s2, retiree=p, rank=2)
    return term, s1, s2, people


def test_it_draws_once_after_the_window_and_verifies(lottery_term, campus) -> None:  # type: ignore[no-untyped-def]
    term, s1, s2, _people = lottery_term
    with pytest.raises(Refused) as refused:
        draw.do_draw(by=campus.cast.clerk, term=term)
    assert refused.value.code == "closed"
    with time_machine.travel(term.apply_until + dt.timedelta(minutes=1)):
        done = draw.do_draw(by=campus.cast.clerk, term=term)
        with pytest.raises(Refused):
            draw.do_draw(by=campus.cast.clerk, term=Term.objects.unrestricted().get(pk=term.pk))
    statuses = list(Enrolment.objects.unrestricted().filter(term=term).values_list("status", flat=True))
    assert statuses.count("enrolled") == 3  # 2 + 1 seats
    assert "applied" not in statuses
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s1.taken, s2.taken) == (2, 1)
    out = io.StringIO()
    call_command("verify_lottery", str(term.pk), stdout=out)
    assert out.getvalue().startswith("OK")
    # Tampering with the stored results is found, and the command fails.
    LotteryDraw.objects.unrestricted().filter(pk=done.pk).update(
        results=done.results.replace("enrolled", "waitlisted", 1)
    )
    with pytest.raises(CommandError) as failed:
        call_command("verify_lottery", str(term.pk), stdout=io.StringIO(), stderr=io.StringIO())
    assert failed.value.returncode == 1


def test_it_keeps_the_seed_hidden_until_the_draw(lottery_term, campus) -> None:  # type: ignore[no-untyped-def]
    from yinling.campus.api import lottery_record

    term = lottery_term[0]
    before = lottery_record(term)
    assert before["seed"] is None and before["results"] == []
    assert before["seed_sha256"] == lottery.seed_sha256(term.seed)
    with time_machine.travel(term.apply_until + dt.timedelta(minutes=1)):
        draw.do_draw(by=campus.cast.clerk, term=term)
    after = lottery_record(Term.objects.unrestricted().get(pk=term.pk))
    assert after["seed"] == term.seed
    assert len(after["results"]) >= 3


def test_it_refuses_the_draw_to_those_without_the_right(lottery_term, campus) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    term = lottery_term[0]
    for user in (campus.cast.leader, campus.cast.outsider, campus.cast.retiree, campus.cast.system_admin):
        with time_machine.travel(term.apply_until + dt.timedelta(minutes=1)), pytest.raises(PermissionDenied):
            draw.do_draw(by=user, term=term)

"""The periodic sweep: cases near their limit flagged once for the step's owners, past-due ones escalated one
level up (in the history, audited), and the escalated org's bureau admin then decides."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from yinling.audit.models import AuditRecord
from yinling.cases.models import Case, CaseEvent
from yinling.cases.services import do_decide, do_file, sweep
from yinling.cases.tests import factories as f
from yinling.core.refusals import Refused
from yinling.notifications.models import Notification
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _filed(cast: Cast) -> Case:
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=TZ), tick=False):  # Monday; due Monday 9 Nov
        return do_file(
            by=cast.retiree, item=f.item(cast.tree.province), retiree=cast.retiree_record, data={"reason": "x"}
        )


def test_it_flags_a_case_near_its_limit_once(cast: Cast) -> None:
    case = _filed(cast)
    assert sweep(dt.date(2026, 11, 4)).flagged == 0  # three working days left
    assert sweep(dt.date(2026, 11, 6)).flagged == 1  # Friday: one working day left
    assert sweep(dt.date(2026, 11, 6)).flagged == 0
    assert Notification.objects.filter(recipient=cast.clerk, kind="cases.near").count() == 1
    case.refresh_from_db()
    assert case.flagged_on == dt.date(2026, 11, 6) and case.step_org == cast.tree.county_a


def test_it_escalates_a_past_due_case_one_level_up_once(cast: Cast) -> None:
    case = _filed(cast)
    assert sweep(dt.date(2026, 11, 9)).escalated == 0  # due today
    result = sweep(dt.date(2026, 11, 10))
    assert result.escalated == 1
    assert sweep(dt.date(2026, 11, 11)).escalated == 0
    case.refresh_from_db()
    assert case.escalated and case.step_org == cast.tree.city_a and case.step == 0
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1
    assert AuditRecord.objects.filter(object_type="cases.case", extra__event="case_escalated").exists()
    assert Notification.objects.filter(recipient=cast.bureau_admin, kind="cases.escalate").exists()
    assert Notification.objects.filter(recipient=cast.retiree, kind="cases.escalate").exists()
    # The county clerk no longer holds it; the city's bureau admin takes the step.
    with pytest.raises(Refused):
        do_decide(by=cast.clerk, case=case, action="approve")
    case = do_decide(by=cast.bureau_admin, case=case, action="approve")
    assert case.step == 1 and not case.escalated


def test_it_leaves_decided_cases_alone_and_runs_as_a_command(cast: Cast) -> None:
    case = _filed(cast)
    do_decide(by=cast.clerk, case=case, action="reject", comment="不符合")
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=TZ), tick=False):
        call_command("sweep_cases", stdout=io.StringIO())
    case.refresh_from_db()
    assert not case.escalated and not CaseEvent.objects.filter(case=case, action="escalate").exists()

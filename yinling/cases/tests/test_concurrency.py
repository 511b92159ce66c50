"""Real threads against PostgreSQL: two owners deciding the same step at once (one wins, the other is refused
as stale or closed, one history entry), and the same person filing the same item twice at once (one case)."""

from __future__ import annotations

from typing import Any

import pytest

from yinling.accounts import roles
from yinling.cases.models import Case, CaseEvent
from yinling.cases.services import do_decide, do_file
from yinling.cases.tests import factories as f
from yinling.testing.concurrency import run_threads, split_refused
from yinling.testing.personas import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_it_lets_one_of_two_staff_deciding_the_same_step_win(cast: Any) -> None:
    second = make_user("clerk2", cast.tree.county_a, roles.CLERK)
    case = do_file(by=cast.clerk, item=f.item(cast.tree.province), retiree=cast.retiree_record, data={"reason": "x"})
    seen = case.version
    deciders = [(cast.clerk, "approve", ""), (second, "reject", "不符合")]

    def decide(i: int) -> None:
        by, action, comment = deciders[i]
        do_decide(
            by=by,
            case=Case.objects.unrestricted().get(pk=case.pk),
            action=action,
            comment=comment,
            expected_version=seen,
        )

    refused, failures = split_refused(run_threads(2, decide))
    assert failures == []
    assert [r.code for r in refused] in (["stale"], ["closed"])
    case.refresh_from_db()
    assert case.version == seen + 1
    decided = CaseEvent.objects.unrestricted().filter(case=case, action__in=["approve", "reject"])
    assert decided.count() == 1


def test_it_opens_one_case_when_the_same_item_is_sent_twice_at_once(cast: Any) -> None:
    item = f.item(cast.tree.province)

    def send(i: int) -> None:
        do_file(by=cast.retiree, item=item, retiree=cast.retiree_record, data={"reason": "x"})

    refused, failures = split_refused(run_threads(4, send))
    assert failures == []
    assert [r.code for r in refused] == ["duplicate"] * 3
    assert Case.objects.unrestricted().count() == 1

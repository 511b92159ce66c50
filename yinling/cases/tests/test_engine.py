"""The step engine: every transition, who may act, return and resubmit, the version a case keeps."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from yinling.accounts import roles
from yinling.audit.models import AuditRecord
from yinling.cases.models import Case, CaseEvent
from yinling.cases.services import do_decide, do_edit_item, do_file, do_resubmit
from yinling.cases.tests import factories as f
from yinling.core.refusals import Refused
from yinling.notifications.models import Notification
from yinling.testing.personas import Cast, make_user

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _file(cast: Cast, **kw):  # type: ignore[no-untyped-def]
    item = kw.pop("item", None) or f.item(cast.tree.province)
    return do_file(by=cast.retiree, item=item, retiree=cast.retiree_record, data=kw.pop("data", {"reason": "病"}))


@time_machine.travel(MONDAY, tick=False)
def test_it_files_a_case_at_the_first_step_with_a_due_date_in_working_days(cast: Cast) -> None:
    case = _file(cast)
    assert case.status == Case.Status.IN_PROGRESS and case.step == 0
    assert case.step_org == cast.tree.county_a  # the county above the retiree's unit
    assert case.due_on == dt.date(2026, 11, 9)  # five working days after Monday 2 November
    assert not case.on_behalf
    assert [e.action for e in case.events.all()] == ["filed"]
    assert AuditRecord.objects.filter(object_type="cases.case", extra__event="case_filed").exists()
    # Nobody is told of what they did themself; the step's owner hears of the case waiting.
    assert not Notification.objects.filter(recipient=cast.retiree, kind="cases.filed").exists()
    assert Notification.objects.filter(recipient=cast.clerk, kind="cases.waiting").exists()


def test_it_walks_approve_approve_to_completed(cast: Cast) -> None:
    case = _file(cast)
    case = do_decide(by=cast.clerk, case=case, action="approve")
    assert (case.status, case.step, case.step_org) == (Case.Status.IN_PROGRESS, 1, cast.tree.city_a)
    case = do_decide(by=cast.bureau_admin, case=case, action="approve", comment="同意")
    assert case.status == Case.Status.COMPLETED and case.on_time is True and case.closed_at
    assert [e.action for e in case.events.all()] == ["filed", "approve", "approve", "complete"]
    assert Notification.objects.filter(recipient=cast.retiree, kind="cases.complete").exists()


def test_it_returns_and_takes_the_fixed_form_back_to_the_same_step(cast: Cast) -> None:
    case = do_decide(by=cast.clerk, case=_file(cast), action="approve")
    case = do_decide(by=cast.bureau_admin, case=case, action="return", comment="请补充金额")
    assert case.status == Case.Status.RETURNED and case.step == 1
    assert Notification.objects.filter(
        recipient=cast.retiree, kind="cases.return", text__contains="请补充金额"
    ).exists()
    with pytest.raises(Refused) as exc:
        do_decide(by=cast.bureau_admin, case=case, action="approve")
    assert exc.value.code == "not_your_step"
    case = do_resubmit(by=cast.retiree, case=case, data={"reason": "病", "amount": "3000"})
    assert (case.status, case.step, case.data["amount"]) == (Case.Status.IN_PROGRESS, 1, "3000.00")
    case = do_decide(by=cast.bureau_admin, case=case, action="approve")
    assert case.status == Case.Status.COMPLETED


def test_it_rejects_with_a_reason_and_then_the_case_is_closed(cast: Cast) -> None:
    case = _file(cast)
    with pytest.raises(ValidationError) as bad:
        do_decide(by=cast.clerk, case=case, action="reject", comment="  ")
    assert "comment" in bad.value.message_dict
    case = do_decide(by=cast.clerk, case=case, action="reject", comment="不符合条件")
    assert case.status == Case.Status.REJECTED
    for who, action in ((cast.clerk, "approve"), (cast.bureau_admin, "return")):
        with pytest.raises(Refused) as exc:
            do_decide(by=who, case=case, action=action, comment="x")
        assert exc.value.code == "closed"
    with pytest.raises(Refused) as exc:
        do_resubmit(by=cast.retiree, case=case, data={"reason": "x"})
    assert exc.value.code == "closed"


@pytest.mark.parametrize("who", ["bureau_admin", "leader", "outsider", "norole", "family"])
def test_it_lets_only_the_steps_role_at_the_steps_org_decide(cast: Cast, who: str) -> None:
    case = _file(cast)
    with pytest.raises(Refused) as exc:
        do_decide(by=getattr(cast, who), case=case, action="approve")
    assert exc.value.code == "not_your_step"
    # A clerk of another county, or at the city, holds the role but not at the step's org.
    for other in (make_user("c2", cast.tree.county_b, roles.CLERK), make_user("c3", cast.tree.city_a, roles.CLERK)):
        with pytest.raises(Refused):
            do_decide(by=other, case=case, action="approve")


def test_it_refuses_a_stale_version(cast: Cast) -> None:
    case = _file(cast)
    seen = case.version
    do_decide(by=cast.clerk, case=case, action="approve")
    with pytest.raises(Refused) as exc:
        do_decide(by=cast.bureau_admin, case=case, action="approve", expected_version=seen)
    assert exc.value.code == "stale"


def test_it_refuses_a_duplicate_open_case_and_allows_one_after_closing(cast: Cast) -> None:
    item = f.item(cast.tree.province)
    case = _file(cast, item=item)
    with pytest.raises(Refused) as exc:
        _file(cast, item=item)
    assert exc.value.code == "duplicate"
    do_decide(by=cast.clerk, case=case, action="reject", comment="材料不全")
    assert _file(cast, item=item).pk != case.pk


def test_it_checks_eligibility(cast: Cast) -> None:
    items = f.builtins(cast.tree.province)
    cast.retiree_record.category = "tuixiu"
    cast.retiree_record.save()
    with pytest.raises(Refused) as exc:
        do_file(by=cast.retiree, item=items["war_veteran_medical"], retiree=cast.retiree_record, data={})
    assert exc.value.code == "not_eligible"
    # An item defined in another city is not offered here.
    other = f.item(cast.tree.city_b, code="ningbo_only")
    with pytest.raises(Refused) as exc:
        _file(cast, item=other)
    assert exc.value.code == "not_eligible"


def test_it_names_the_bad_fields(cast: Cast) -> None:
    with pytest.raises(ValidationError) as bad:
        _file(cast, data={"reason": "", "amount": "很多"})
    assert set(bad.value.message_dict) == {"reason", "amount"}


def test_it_records_a_relative_and_staff_as_on_behalf(cast: Cast) -> None:
    a = do_file(by=cast.family, item=f.item(cast.tree.province), retiree=cast.retiree_record, data={"reason": "x"})
    assert a.on_behalf
    b = do_file(by=cast.clerk, item=f.item(cast.tree.province, "b"), retiree=cast.retiree_record, data={"reason": "x"})
    assert b.on_behalf and b.filed_by == cast.clerk
    assert Notification.objects.filter(recipient=cast.retiree, kind="cases.filed").exists()
    with pytest.raises(PermissionDenied):
        do_file(
            by=cast.outsider, item=f.item(cast.tree.province, "c"), retiree=cast.retiree_record, data={"reason": "x"}
        )
    with pytest.raises(PermissionDenied):
        do_file(by=cast.leader, item=f.item(cast.tree.province, "d"), retiree=cast.retiree_record, data={"reason": "x"})


def test_it_keeps_the_version_a_case_was_filed_under(cast: Cast) -> None:
    item = f.item(cast.tree.province)
    case = _file(cast, item=item)
    changed = dict(f.TWO_STEPS, steps=[{"name": "县级审核", "role": "clerk", "level": "county"}])
    item = do_edit_item(
        by=cast.system_admin if False else _province_admin(cast), item=item, name="帮扶", definition=changed
    )
    assert item.current.number == 2
    case.refresh_from_db()
    assert case.item_version.number == 1 and len(case.item_version.steps) == 2
    case = do_decide(by=cast.clerk, case=case, action="approve")
    assert case.status == Case.Status.IN_PROGRESS and case.step == 1  # still the two steps it was filed under


def _province_admin(cast: Cast):  # type: ignore[no-untyped-def]
    return make_user("provadmin", cast.tree.province, roles.BUREAU_ADMIN)


def test_it_applies_an_approved_information_change_through_the_registry(cast: Cast) -> None:
    items = f.builtins(cast.tree.province)
    case = do_file(
        by=cast.retiree,
        item=items["info_change"],
        retiree=cast.retiree_record,
        data={"field": "所在社区", "value": "文新街道"},
    )
    version = cast.retiree_record.version
    do_decide(by=cast.clerk, case=case, action="approve")
    cast.retiree_record.refresh_from_db()
    assert cast.retiree_record.community == "文新街道" and cast.retiree_record.version == version + 1
    assert AuditRecord.objects.filter(object_type="registry.retiree", action="update").exists()
    assert CaseEvent.objects.filter(case=case, action="complete").exists()


def test_it_keeps_a_new_phone_encrypted_and_masked_until_the_registry_has_it(cast: Cast) -> None:
    from django.db import connection

    items = f.builtins(cast.tree.province)
    case = do_file(
        by=cast.retiree,
        item=items["info_change"],
        retiree=cast.retiree_record,
        data={"field": "联系电话", "value": "13912345678"},
    )
    assert case.data["value"] == "139****5678" and case.sensitive_value == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sensitive_value, data FROM cases_case WHERE id = %s", [case.pk])
        raw_secret, raw_data = cursor.fetchone()
    assert "13912345678" not in str(raw_secret) and "13912345678" not in str(raw_data)
    case = do_decide(by=cast.clerk, case=case, action="approve")
    cast.retiree_record.refresh_from_db()
    assert cast.retiree_record.phone == "13912345678"
    case.refresh_from_db()
    assert case.status == "completed" and case.sensitive_value == ""


def test_it_refuses_an_information_change_as_stale_when_the_record_changed_meanwhile(cast: Cast) -> None:
    from unittest import mock

    from yinling.registry.services import EditConflict

    items = f.builtins(cast.tree.province)
    case = do_file(
        by=cast.retiree,
        item=items["info_change"],
        retiree=cast.retiree_record,
        data={"field": "所在社区", "value": "x"},
    )
    with (
        mock.patch("yinling.registry.services.do_update_retiree", side_effect=EditConflict),
        pytest.raises(Refused) as exc,
    ):
        do_decide(by=cast.clerk, case=case, action="approve")
    assert exc.value.code == "stale"
    case.refresh_from_db()
    assert case.status == "in_progress" and case.step == 0


@pytest.mark.parametrize(
    ("eligibility", "change", "allowed"),
    [
        ({"categories": ["lixiu"]}, {"category": "lixiu"}, True),
        ({"categories": ["lixiu"]}, {"category": "tuixiu"}, False),
        ({"min_age": 90}, {}, False),  # the persona is 82
        ({"min_age": 80}, {}, True),
        ({"libraries": ["hardship"]}, {"special_flags": ["hardship"]}, True),
        ({"libraries": ["hardship"]}, {"special_flags": []}, False),
        ({}, {"status": "deceased"}, False),
    ],
)
def test_it_decides_eligibility_by_category_age_library_and_register(
    cast: Cast, eligibility: dict, change: dict, allowed: bool
) -> None:
    from yinling.cases import policy

    record = cast.retiree_record
    for key, value in change.items():
        setattr(record, key, value)
    record.save()
    record.refresh_from_db()
    assert (policy.ineligible_reason(record, {"eligibility": eligibility}) == "") is allowed

"""The services API: the contract's shapes, every endpoint as each persona, refusals as 409 with their codes,
bad input as 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yinling.cases.models import Case
from yinling.cases.services import do_decide, do_file
from yinling.cases.tests import factories as f
from yinling.testing.personas import Cast, cast_clients

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/services/items/"
CASES = "/api/v1/services/cases/"


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    return cast_clients(cast)


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def _case(cast: Cast, code: str = "aid") -> Case:
    return do_file(
        by=cast.clerk, item=f.item(cast.tree.province, code), retiree=cast.retiree_record, data={"reason": "x"}
    )


def test_it_lists_the_items_a_retiree_may_apply_for_in_the_contracts_shape(
    cast: Cast, clients: dict[str, Client]
) -> None:
    f.builtins(cast.tree.province)
    cast.retiree_record.category = "tuixiu"
    cast.retiree_record.save()
    body = clients["retiree"].get(ITEMS).json()
    codes = {i["code"] for i in body}
    assert "home_adaptation" in codes and "war_veteran_medical" not in codes  # 离休 only
    one = next(i for i in body if i["code"] == "home_adaptation")
    assert set(one) >= {"code", "name", "fields", "steps", "limit_days"}
    assert set(one["fields"][0]) == {"name", "label", "type", "required", "choices"}
    assert set(one["steps"][0]) == {"name", "role", "level"} and one["limit_days"] == 20


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("norole", 403), ("leader", 403), ("audit_admin", 403), ("clerk", 200), ("family", 200)],
)
def test_it_answers_the_item_list_per_persona(
    clients: dict[str, Client], cast: Cast, persona: str, expected: int
) -> None:
    f.item(cast.tree.province)
    assert clients[persona].get(ITEMS).status_code == expected


def test_it_files_a_case_as_the_retiree_and_answers_201(cast: Cast, clients: dict[str, Client]) -> None:
    f.item(cast.tree.province)
    r = _post(clients["retiree"], CASES, {"item": "aid", "data": {"reason": "生病"}})
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"id", "status", "step", "due_on"}
    assert body["status"] == "in_progress" and body["step"] == "县级审核"
    assert not Case.objects.get(pk=body["id"]).on_behalf


def test_it_files_for_a_relative_and_staff_file_in_their_scope_only(cast: Cast, clients: dict[str, Client]) -> None:
    f.item(cast.tree.province)
    r = _post(clients["family"], CASES, {"item": "aid", "data": {"reason": "x"}, "retiree_id": cast.retiree_record.pk})
    assert r.status_code == 201 and Case.objects.get(pk=r.json()["id"]).on_behalf
    f.item(cast.tree.province, "aid2")
    body = {"item": "aid2", "data": {"reason": "x"}, "retiree_id": cast.retiree_record.pk}
    assert _post(clients["outsider"], CASES, body).status_code == 404
    assert _post(clients["leader"], CASES, body).status_code == 403
    assert _post(clients["clerk"], CASES, {"item": "aid2", "data": {}}).status_code == 400
    r = _post(clients["clerk"], CASES, body)
    assert r.status_code == 201 and Case.objects.get(pk=r.json()["id"]).filed_by == cast.clerk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": {"reason": "x"}}, "item"),
        ({"item": "nope", "data": {"reason": "x"}}, "item"),
        ({"item": "aid", "data": {"reason": ""}}, "reason"),
        ({"item": "aid", "data": {"reason": "x", "amount": "十元"}}, "amount"),
        ({"item": "aid", "data": {"reason": "x", "amount": "1e999"}}, "amount"),
        ({"item": "aid", "data": "not an object"}, "data"),
        ({"item": "aid", "data": {"reason": "x"}, "retiree_id": "abc"}, "retiree_id"),
    ],
)
def test_it_answers_bad_input_with_400_naming_the_field(
    cast: Cast, clients: dict[str, Client], body: Any, field: str
) -> None:
    f.item(cast.tree.province)
    r = _post(clients["retiree"], CASES, body)
    assert r.status_code == 400, r.content
    assert field in r.json()


def test_it_refuses_duplicate_and_not_eligible_with_409(cast: Cast, clients: dict[str, Client]) -> None:
    f.item(cast.tree.province)
    assert _post(clients["retiree"], CASES, {"item": "aid", "data": {"reason": "x"}}).status_code == 201
    r = _post(clients["retiree"], CASES, {"item": "aid", "data": {"reason": "x"}})
    assert (r.status_code, r.json()["error"]) == (409, "duplicate")
    f.item(cast.tree.city_b, "ningbo")
    r = _post(clients["retiree"], CASES, {"item": "ningbo", "data": {"reason": "x"}})
    assert (r.status_code, r.json()["error"]) == (409, "not_eligible")


def test_it_lists_own_cases_scope_and_waiting_for_me(cast: Cast, clients: dict[str, Client]) -> None:
    case = _case(cast)
    assert [c["id"] for c in clients["retiree"].get(CASES).json()["results"]] == [case.pk]
    assert clients["family"].get(CASES).json()["results"] == []  # their own list; the relative's case by id
    assert clients["family"].get(f"{CASES}{case.pk}/").status_code == 200
    assert [c["id"] for c in clients["clerk"].get(CASES + "?waiting=me").json()["results"]] == [case.pk]
    assert clients["bureau_admin"].get(CASES + "?waiting=me").json()["results"] == []
    assert [c["id"] for c in clients["bureau_admin"].get(CASES).json()["results"]] == [case.pk]
    assert clients["outsider"].get(CASES).json()["results"] == []
    assert clients["norole"].get(CASES).status_code == 403
    assert clients["clerk"].get(CASES + "?status=zzz").status_code == 400


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("norole", 404),
        ("outsider", 404),
        ("leader", 200),
        ("clerk", 200),
        ("retiree", 200),
        ("family", 200),
        ("system_admin", 403),
    ],
)
def test_it_shows_a_case_with_its_history_per_persona(
    cast: Cast, clients: dict[str, Client], persona: str, expected: int
) -> None:
    case = _case(cast)
    r = clients[persona].get(f"{CASES}{case.pk}/")
    assert r.status_code == expected
    if expected == 200:
        history = r.json()["history"]
        assert set(history[0]) == {"step", "action", "by", "at", "comment"} and history[0]["action"] == "filed"


def test_it_decides_through_the_api_with_every_refusal(cast: Cast, clients: dict[str, Client]) -> None:
    case = _case(cast)
    url = f"{CASES}{case.pk}/decide/"
    assert _post(clients["outsider"], url, {"action": "approve"}).status_code == 404
    assert _post(clients["leader"], url, {"action": "approve"}).status_code == 403
    assert _post(clients["retiree"], url, {"action": "approve"}).status_code == 403
    r = _post(clients["bureau_admin"], url, {"action": "approve"})
    assert (r.status_code, r.json()["error"]) == (409, "not_your_step")
    assert "action" in _post(clients["clerk"], url, {"action": "maybe"}).json()
    assert "comment" in _post(clients["clerk"], url, {"action": "return"}).json()
    r = _post(clients["clerk"], url, {"action": "approve", "comment": "同意", "version": case.version})
    assert r.json() == {"status": "in_progress", "step": "市局审批"}
    r = _post(clients["bureau_admin"], url, {"action": "approve", "version": case.version})
    assert (r.status_code, r.json()["error"]) == (409, "stale")
    r = _post(clients["bureau_admin"], url, {"action": "reject", "comment": "不符合"})
    assert r.json() == {"status": "rejected", "step": ""}
    r = _post(clients["bureau_admin"], url, {"action": "approve"})
    assert (r.status_code, r.json()["error"]) == (409, "closed")


def test_it_resubmits_a_returned_case_through_the_api(cast: Cast, clients: dict[str, Client]) -> None:
    case = do_decide(by=cast.clerk, case=_case(cast), action="return", comment="请补充金额")
    url = f"{CASES}{case.pk}/resubmit/"
    assert _post(clients["outsider"], url, {"data": {"reason": "x"}}).status_code == 404
    assert "reason" in _post(clients["retiree"], url, {"data": {"reason": ""}}).json()
    r = _post(clients["retiree"], url, {"data": {"reason": "x", "amount": "100"}})
    assert r.json() == {"status": "in_progress", "step": "县级审核"}
    r = _post(clients["retiree"], url, {"data": {"reason": "x"}})
    assert (r.status_code, r.json()["error"]) == (409, "not_your_step")


def test_it_lists_for_staff_what_a_retiree_in_their_scope_may_apply_for(cast: Cast, clients: dict[str, Client]) -> None:
    f.builtins(cast.tree.province)
    f.item(cast.tree.city_b, "ningbo")
    cast.retiree_record.category = "tuixiu"
    cast.retiree_record.save()
    all_codes = {i["code"] for i in clients["bureau_admin"].get(ITEMS).json()}
    assert "war_veteran_medical" in all_codes and "ningbo" not in all_codes
    mine = {i["code"] for i in clients["clerk"].get(f"{ITEMS}?retiree_id={cast.retiree_record.pk}").json()}
    assert "war_veteran_medical" not in mine and "home_adaptation" in mine
    assert clients["outsider"].get(f"{ITEMS}?retiree_id={cast.retiree_record.pk}").status_code == 404
    assert "retiree_id" in clients["clerk"].get(f"{ITEMS}?retiree_id=abc").json()

"""The /api/v1/timebank/ contract: shapes, decimal strings, 409 refusals, scope and on-behalf recording."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from yinling.accounts import roles
from yinling.registry.models import Retiree
from yinling.testing.permissions import api_client as api
from yinling.testing.personas import Personas, make_user
from yinling.timebank import ledger, services
from yinling.timebank.models import Account, Offer, Rule, ServiceRequest, Transfer
from yinling.timebank.tests.factories import person, relate, sign_in_account

pytestmark = pytest.mark.django_db
H = Decimal
BASE = "/api/v1/timebank"



@pytest.fixture
def helper(personas: Personas) -> Retiree:
    """A provider aged 63 with a sign-in account."""
    r = person(personas.tree.unit_a, age=63, name="王志强")
    services.do_join(by=personas.owner, retiree=r, as_provider=True)
    sign_in_account(r)
    return r


@pytest.fixture
def elder(personas: Personas) -> Retiree:
    """A recipient aged 86 living alone, with a sign-in account."""
    r = person(personas.tree.unit_a, age=86, name="李秀英", living="alone")
    services.do_join(by=personas.owner, retiree=r)
    sign_in_account(r)
    return r


def window(hours: int = 3) -> dict[str, str]:
    # Under way: still open on the board, and already started, so its hours may be reported.
    start = timezone.now() - dt.timedelta(minutes=30)
    return {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=hours)).isoformat()}


def balance(r: Retiree) -> Decimal:
    account = services.member_account(r)
    assert account is not None
    account.refresh_from_db()
    return account.balance


def no_drift() -> None:
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []


# --- accounts ---------------------------------------------------------------------------------


def test_it_shows_a_member_their_own_account_with_decimal_strings(personas: Personas, funded: Account, elder) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("12.5"), reason="高龄")
    body = api(elder.account).get(f"{BASE}/accounts/me/").json()
    assert body["balance"] == "12.50"
    assert body["account"] == services.member_account(elder).pk
    assert body["retiree"] == elder.pk and body["is_provider"] is False and body["is_priority"] is True
    assert body["cap"] == "1500.00"
    assert body["pending"] == []
    assert body["movements"][0]["amount"] == "12.50" and body["movements"][0]["kind"] == "grant"


def test_it_lists_what_is_pending_for_the_member(personas: Personas, funded: Account, elder, helper) -> None:
    r = api(elder.account).post(
        f"{BASE}/requests/", {"category": "company", "expected_hours": "2", **window()}, format="json"
    )
    assert r.status_code == 201, r.content
    mine = api(elder.account).get(f"{BASE}/accounts/me/").json()["pending"]
    assert [(p["id"], p["role"], p["status"]) for p in mine] == [(r.json()["id"], "recipient", "open")]
    api(helper.account).post(f"{BASE}/requests/{r.json()['id']}/accept/")
    theirs = api(helper.account).get(f"{BASE}/accounts/me/").json()["pending"]
    assert [(p["role"], p["status"]) for p in theirs] == [("provider", "accepted")]


def test_it_answers_404_json_to_someone_who_is_not_a_member(personas: Personas) -> None:
    outsider = person(personas.tree.unit_a, age=70)
    sign_in_account(outsider)
    r = api(outsider.account).get(f"{BASE}/accounts/me/")
    assert r.status_code == 404 and r.json()["error"] == "not_member"
    assert api(personas.owner).get(f"{BASE}/accounts/me/").status_code == 404  # staff have no account
    assert api(None).get(f"{BASE}/accounts/me/").status_code in (401, 403)


def test_it_shows_staff_a_members_account_in_scope_only(personas: Personas, funded: Account, elder) -> None:
    r = api(personas.owner).get(f"{BASE}/accounts/{elder.pk}/")
    assert r.status_code == 200 and r.json()["balance"] == "0.00" and r.json()["name"] == "李秀英"
    assert api(personas.limited).get(f"{BASE}/accounts/{elder.pk}/").status_code == 200  # leaders read
    assert api(personas.outsider).get(f"{BASE}/accounts/{elder.pk}/").status_code == 404
    assert api(personas.norole).get(f"{BASE}/accounts/{elder.pk}/").status_code == 404
    security = make_user("sec-a", personas.tree.city_a, roles.SECURITY_ADMIN)
    assert api(security).get(f"{BASE}/accounts/{elder.pk}/").status_code == 403  # in scope, no view_account
    assert api(elder.account).get(f"{BASE}/accounts/{elder.pk}/").status_code == 404  # members use me/
    stranger = person(personas.tree.unit_a, age=70)
    r = api(personas.owner).get(f"{BASE}/accounts/{stranger.pk}/")
    assert r.status_code == 404 and r.json()["error"] == "not_member"


def test_it_lists_members_for_staff(personas: Personas, elder, helper) -> None:
    rows = api(personas.owner).get(f"{BASE}/accounts/").json()["results"]
    assert {row["name"] for row in rows} == {"李秀英", "王志强"}
    assert all(row["balance"] == "0.00" for row in rows)
    assert api(personas.outsider).get(f"{BASE}/accounts/").json()["results"] == []
    assert api(personas.norole).get(f"{BASE}/accounts/").status_code == 403


# --- issuance and grants ------------------------------------------------------------------------


def test_it_issues_into_a_pool_for_a_bureau_admin_of_that_org_or_above(personas: Personas) -> None:
    r = api(personas.owner).post(
        f"{BASE}/pools/330106/issue/", {"hours": "40", "reason": "区级发放", "document_no": "西老干〔2026〕2号"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["pool"] == {"org": "330106", "balance": "40.00"}
    assert r.json()["transfer"]["amount"] == "40.00" and r.json()["transfer"]["document_no"] == "西老干〔2026〕2号"
    clerk = make_user("clerk", personas.tree.city_a, roles.CLERK)
    assert api(clerk).post(f"{BASE}/pools/330106/issue/", {"hours": "1", "reason": "x"}).status_code == 403
    assert api(personas.owner).post(f"{BASE}/pools/330000/issue/", {"hours": "1", "reason": "x"}).status_code == 404
    assert api(personas.owner).post(f"{BASE}/pools/330200/issue/", {"hours": "1", "reason": "x"}).status_code == 404
    r = api(personas.owner).post(f"{BASE}/pools/330106/issue/", {"hours": "1", "reason": " ", "document_no": "1号"})
    assert r.status_code == 409 and r.json()["error"] == "reason_required"
    assert api(personas.owner).post(f"{BASE}/pools/330106/issue/", {"hours": "abc", "reason": "x"}).status_code == 400
    assert Transfer.objects.count() == 1


def test_it_grants_from_the_pool_and_tells_the_member_about_the_cap(personas: Personas, funded: Account, elder) -> None:
    Rule.objects.create(org=personas.tree.city_a, balance_cap=H("10"))
    r = api(personas.owner).post(f"{BASE}/grants/", {"to": elder.pk, "hours": "8", "reason": "高龄独居"})
    assert r.status_code == 201, r.content
    assert r.json()["balance"] == "8.00" and r.json()["overflow"] is None
    r = api(personas.owner).post(f"{BASE}/grants/", {"to": elder.pk, "hours": "4", "reason": "节日"})
    assert r.status_code == 201
    assert r.json()["balance"] == "10.00" and r.json()["overflow"]["amount"] == "2.00"
    assert "上限" in r.json()["message"]
    funded.refresh_from_db()
    assert funded.balance == H("90")
    no_drift()
    # Each transfer audited in its own transaction, scoped to the receiving account's org.
    from yinling.audit.models import AuditRecord

    grant = Transfer.objects.filter(kind="grant").order_by("id").first()
    entry = AuditRecord.objects.get(object_type="timebank.transfer", object_id=str(grant.pk))
    assert entry.org_path == elder.org.path and entry.actor == personas.owner
    assert entry.changes["amount"] == [None, "8.00"] and entry.extra["reason"] == "高龄独居"


def test_it_refuses_grants_outside_scope_without_permission_or_funds(personas: Personas, elder) -> None:
    assert (
        api(personas.outsider).post(f"{BASE}/grants/", {"to": elder.pk, "hours": "1", "reason": "x"}).status_code == 404
    )
    assert (
        api(personas.limited).post(f"{BASE}/grants/", {"to": elder.pk, "hours": "1", "reason": "x"}).status_code == 403
    )
    r = api(personas.owner).post(f"{BASE}/grants/", {"to": elder.pk, "hours": "1", "reason": "x"})
    assert r.status_code == 409 and r.json() == {"error": "insufficient_balance", "message": r.json()["message"]}
    assert api(elder.account).post(f"{BASE}/grants/", {"to": elder.pk, "hours": "1", "reason": "x"}).status_code == 404
    assert Transfer.objects.count() == 0


# --- donations and gifts ------------------------------------------------------------------------


def test_it_donates_for_the_signed_in_member(personas: Personas, funded: Account, elder) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("3"), reason="a")
    r = api(elder.account).post(f"{BASE}/donations/", {"hours": "1.5"})
    assert r.status_code == 201, r.content
    assert r.json()["balance"] == "1.50" and r.json()["transfer"]["on_behalf"] is False
    r = api(elder.account).post(f"{BASE}/donations/", {"hours": "2"})
    assert r.status_code == 409 and r.json()["error"] == "insufficient_balance"
    r = api(elder.account).post(f"{BASE}/donations/", {"hours": "0.3"})
    assert r.status_code == 409 and r.json()["error"] == "invalid_amount"
    assert balance(elder) == H("1.5")
    no_drift()


def test_it_records_staff_donating_on_a_members_behalf(personas: Personas, funded: Account, elder) -> None:
    services.do_grant(by=personas.owner, retiree=elder, hours=H("3"), reason="a")
    r = api(personas.owner).post(f"{BASE}/donations/", {"hours": "1", "retiree": elder.pk})
    assert r.status_code == 201 and r.json()["transfer"]["on_behalf"] is True
    assert Transfer.objects.get(kind="donation").created_by == personas.owner
    assert api(personas.outsider).post(f"{BASE}/donations/", {"hours": "1", "retiree": elder.pk}).status_code == 404
    assert api(personas.limited).post(f"{BASE}/donations/", {"hours": "1", "retiree": elder.pk}).status_code == 403
    r = api(personas.owner).post(f"{BASE}/donations/", {"hours": "1"})
    assert r.status_code == 404 and r.json()["error"] == "not_member"


def test_it_gives_only_to_recorded_relatives(personas: Personas, funded: Account, helper) -> None:
    services.do_grant(by=personas.owner, retiree=helper, hours=H("6"), reason="a")
    mother = person(personas.tree.county_a, age=88, name="王母")
    stranger = person(personas.tree.county_a, age=88)
    r = api(helper.account).post(f"{BASE}/gifts/", {"to": stranger.pk, "hours": "1"})
    assert r.status_code == 409 and r.json()["error"] == "not_relative"
    r = api(helper.account).post(f"{BASE}/gifts/", {"to": 999_999, "hours": "1"})
    assert r.status_code == 409 and r.json()["error"] == "not_relative"  # no probing of ids
    relate(helper, mother, "母亲")
    r = api(helper.account).post(f"{BASE}/gifts/", {"to": mother.pk, "hours": "2.5"})
    assert r.status_code == 201, r.content
    assert r.json()["balance"] == "3.50" and r.json()["recipient_balance"] == "2.50"
    r = api(helper.account).post(f"{BASE}/gifts/", {"to": helper.pk, "hours": "1"})
    assert r.status_code == 409 and r.json()["error"] == "self_transfer"
    r = api(helper.account).post(f"{BASE}/gifts/", {"to": mother.pk, "hours": "10"})
    assert r.status_code == 409 and r.json()["error"] == "insufficient_balance"
    no_drift()


def test_it_sends_a_gift_above_the_relatives_cap_to_the_pool(personas: Personas, funded: Account, helper) -> None:
    Rule.objects.create(org=personas.tree.city_a, balance_cap=H("5"))
    mother = person(personas.tree.unit_a, age=88)
    relate(mother, helper, "儿子")  # recorded on the mother's side
    services.do_grant(by=personas.owner, retiree=helper, hours=H("5"), reason="a")
    services.do_grant(by=personas.owner, retiree=mother, hours=H("4"), reason="a")
    r = api(helper.account).post(f"{BASE}/gifts/", {"to": mother.pk, "hours": "3"})
    assert r.status_code == 201
    assert r.json()["overflow"]["amount"] == "2.00" and r.json()["recipient_balance"] == "5.00"


# --- requests: the service cycle -----------------------------------------------------------------


def post_need(who: Any, **extra: Any) -> dict[str, Any]:
    r = api(who).post(
        f"{BASE}/requests/", {"category": "company", "expected_hours": "2", **window(), **extra}, format="json"
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_it_runs_the_service_cycle_through_the_api(personas: Personas, funded: Account, elder, helper) -> None:
    need = post_need(elder.account, description="陪我聊天")
    assert need["status"] == "open" and need["expected_hours"] == "2.00" and need["paid_by_pool"] is True
    assert need["recipient"] == {"retiree": elder.pk, "name": "李秀英"} and need["provider"] is None
    board = api(helper.account).get(f"{BASE}/requests/?board=1").json()["results"]
    assert [n["id"] for n in board] == [need["id"]]
    r = api(helper.account).post(f"{BASE}/requests/{need['id']}/accept/")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = api(elder.account).post(f"{BASE}/requests/{need['id']}/report/", {"hours": "2"})
    assert r.status_code == 403  # only the provider reports
    r = api(helper.account).post(f"{BASE}/requests/{need['id']}/report/", {"hours": "2.5"})
    assert r.status_code == 200 and r.json()["actual_hours"] == "2.50"
    assert api(helper.account).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 5}).status_code == 403
    r = api(elder.account).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 5})
    assert r.status_code == 200 and r.json()["status"] == "confirmed" and r.json()["rating"] == 5
    assert balance(helper) == H("2.5")
    funded.refresh_from_db()
    assert funded.balance == H("97.5")  # paid by the pool: she is 86 and lives alone
    assert Transfer.objects.get(kind="service").on_behalf is False
    r = api(elder.account).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 5})
    assert r.status_code == 409 and r.json()["error"] == "invalid_state"
    no_drift()


def test_it_pays_from_the_recipients_own_hours_when_not_a_priority_elder(
    personas: Personas, funded: Account, helper
) -> None:
    younger = person(personas.tree.unit_a, age=70)
    sign_in_account(younger)
    services.do_grant(by=personas.owner, retiree=younger, hours=H("1"), reason="a")
    need = post_need(younger.account, category="smartphone")
    assert need["paid_by_pool"] is False
    api(helper.account).post(f"{BASE}/requests/{need['id']}/accept/")
    api(helper.account).post(f"{BASE}/requests/{need['id']}/report/", {"hours": "2"})
    r = api(younger.account).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 4})
    assert r.status_code == 409 and r.json()["error"] == "insufficient_balance"
    assert ServiceRequest.objects.get(pk=need["id"]).status == "reported"  # nothing half-written
    assert balance(younger) == H("1") and balance(helper) == 0


def test_it_refuses_self_service_and_the_daily_cap(personas: Personas, funded: Account, helper) -> None:
    Rule.objects.create(org=personas.tree.city_a, daily_cap=H("2"))
    own = post_need(helper.account)
    r = api(helper.account).post(f"{BASE}/requests/{own['id']}/accept/")
    assert r.status_code == 409 and r.json()["error"] == "self_service"
    r = api(personas.owner).post(f"{BASE}/requests/{own['id']}/accept/", {"provider": helper.pk})
    assert r.status_code == 409 and r.json()["error"] == "self_service"  # staff cannot match it either
    ids = []
    for _ in range(2):
        elder = person(personas.tree.unit_a, age=90)
        need = (
            api(personas.owner)
            .post(
                f"{BASE}/requests/", {"recipient": elder.pk, "category": "meals", "expected_hours": "1.5", **window()}
            )
            .json()
        )
        api(helper.account).post(f"{BASE}/requests/{need['id']}/accept/")
        ids.append(need["id"])
    assert api(helper.account).post(f"{BASE}/requests/{ids[0]}/report/", {"hours": "1.5"}).status_code == 200
    # The same day's second service would take the provider past the cap: refused when the hours are recorded.
    r = api(helper.account).post(f"{BASE}/requests/{ids[1]}/report/", {"hours": "1.5"})
    assert r.status_code == 409 and r.json()["error"] == "daily_cap"
    assert ServiceRequest.objects.get(pk=ids[1]).status == "accepted"
    assert api(personas.owner).post(f"{BASE}/requests/{ids[0]}/confirm/", {"rating": 5}).status_code == 200
    assert balance(helper) == H("1.5")


def test_it_records_staff_confirming_on_the_recipients_behalf(
    personas: Personas, funded: Account, elder, helper
) -> None:
    need = post_need(elder.account)
    api(helper.account).post(f"{BASE}/requests/{need['id']}/accept/")
    api(helper.account).post(f"{BASE}/requests/{need['id']}/report/", {"hours": "2"})
    assert api(personas.limited).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 4}).status_code == 403
    assert api(personas.outsider).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 4}).status_code == 404
    r = api(personas.owner).post(f"{BASE}/requests/{need['id']}/confirm/", {"rating": 4})
    assert r.status_code == 200
    service = Transfer.objects.get(kind="service")
    assert service.on_behalf is True and service.created_by == personas.owner
    assert ServiceRequest.objects.get(pk=need["id"]).confirmed_by == personas.owner


def test_it_disputes_and_resolves(personas: Personas, funded: Account, elder, helper) -> None:
    need = post_need(elder.account)
    api(helper.account).post(f"{BASE}/requests/{need['id']}/accept/")
    api(helper.account).post(f"{BASE}/requests/{need['id']}/report/", {"hours": "3"})
    r = api(elder.account).post(f"{BASE}/requests/{need['id']}/dispute/", {"reason": " "})
    assert r.status_code == 409 and r.json()["error"] == "reason_required"
    r = api(elder.account).post(f"{BASE}/requests/{need['id']}/dispute/", {"reason": "只来了一个小时"})
    assert r.status_code == 200 and r.json()["status"] == "disputed"
    assert (
        api(elder.account).post(f"{BASE}/requests/{need['id']}/resolve/", {"hours": "1", "note": "x"}).status_code
        == 403
    )
    assert (
        api(personas.limited).post(f"{BASE}/requests/{need['id']}/resolve/", {"hours": "1", "note": "x"}).status_code
        == 403
    )
    r = api(personas.owner).post(f"{BASE}/requests/{need['id']}/resolve/", {"hours": "1", "note": "电话核实"})
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["actual_hours"] == "1.00"
    assert balance(helper) == H("1")
    assert Transfer.objects.get(kind="service").on_behalf is True


def test_it_cancels_and_records_no_shows(personas: Personas, funded: Account, elder, helper) -> None:
    first, second = post_need(elder.account), post_need(elder.account)
    assert api(helper.account).post(f"{BASE}/requests/{first['id']}/cancel/").status_code == 403  # on the board only
    r = api(elder.account).post(f"{BASE}/requests/{first['id']}/cancel/", {"reason": "家人来了"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["note"] == "家人来了"
    r = api(elder.account).post(f"{BASE}/requests/{first['id']}/cancel/")
    assert r.status_code == 409 and r.json()["error"] == "invalid_state"
    r = api(elder.account).post(f"{BASE}/requests/{second['id']}/no_show/")
    assert r.status_code == 409 and r.json()["error"] == "invalid_state"  # nobody accepted yet
    api(helper.account).post(f"{BASE}/requests/{second['id']}/accept/")
    r = api(elder.account).post(f"{BASE}/requests/{second['id']}/no_show/")
    assert r.status_code == 200 and r.json()["status"] == "no_show"


def test_it_lets_family_post_for_a_recorded_relative(personas: Personas, funded: Account, helper) -> None:
    mother = person(personas.tree.unit_a, age=89)
    stranger = person(personas.tree.unit_a, age=89)
    r = api(helper.account).post(
        f"{BASE}/requests/", {"recipient": stranger.pk, "category": "meals", "expected_hours": "1", **window()}
    )
    assert r.status_code == 409 and r.json()["error"] == "not_relative"
    relate(helper, mother, "母亲")
    need = post_need(helper.account, recipient=mother.pk)
    assert need["recipient"]["retiree"] == mother.pk


def test_it_lets_staff_post_and_list_needs_in_scope(personas: Personas, elder) -> None:
    other = person(personas.tree.county_b, age=90)
    need = post_need(personas.owner, recipient=elder.pk)
    r = api(personas.owner).post(
        f"{BASE}/requests/", {"recipient": other.pk, "category": "meals", "expected_hours": "1", **window()}
    )
    assert r.status_code == 404
    assert (
        api(personas.limited)
        .post(f"{BASE}/requests/", {"recipient": elder.pk, "category": "meals", "expected_hours": "1", **window()})
        .status_code
        == 403
    )
    post_need(personas.outsider, recipient=other.pk)
    assert [n["id"] for n in api(personas.owner).get(f"{BASE}/requests/").json()["results"]] == [need["id"]]
    assert api(personas.owner).get(f"{BASE}/requests/?status=open").json()["count"] == 1
    assert api(personas.owner).get(f"{BASE}/requests/?status=confirmed").json()["count"] == 0
    assert api(personas.owner).get(f"{BASE}/requests/{need['id']}/").status_code == 200
    assert api(personas.outsider).get(f"{BASE}/requests/{need['id']}/").status_code == 404
    assert api(personas.norole).get(f"{BASE}/requests/").status_code == 403


def test_it_shows_members_only_their_own_needs_and_the_board(personas: Personas, elder, helper) -> None:
    need = post_need(elder.account)
    far = person(personas.tree.county_b, age=90)
    far_need = post_need(personas.outsider, recipient=far.pk)
    assert [n["id"] for n in api(elder.account).get(f"{BASE}/requests/").json()["results"]] == [need["id"]]
    assert api(helper.account).get(f"{BASE}/requests/").json()["results"] == []
    assert [n["id"] for n in api(helper.account).get(f"{BASE}/requests/?board=1").json()["results"]] == [need["id"]]
    assert api(helper.account).get(f"{BASE}/requests/{need['id']}/").status_code == 200  # on the board
    assert api(helper.account).get(f"{BASE}/requests/{far_need['id']}/").status_code == 404


def test_it_orders_the_board_by_community_then_org(personas: Personas, helper) -> None:
    helper.community = "文三路社区"
    helper.save()
    same_org = post_need(personas.owner, recipient=person(personas.tree.unit_a, age=88).pk, community="别的社区")
    county = post_need(personas.owner, recipient=person(personas.tree.county_a, age=88).pk, community="远处社区")
    community = post_need(personas.owner, recipient=person(personas.tree.county_a, age=88).pk, community="文三路社区")
    board = api(helper.account).get(f"{BASE}/requests/?board=1").json()["results"]
    assert [n["id"] for n in board] == [community["id"], same_org["id"], county["id"]]


def test_it_answers_400_for_malformed_input(personas: Personas, elder) -> None:
    r = api(elder.account).post(f"{BASE}/requests/", {"category": "nonsense", "expected_hours": "2", **window()})
    assert r.status_code == 400 and "category" in r.json()
    start = timezone.now() + dt.timedelta(hours=3)
    r = api(elder.account).post(
        f"{BASE}/requests/",
        {"category": "meals", "expected_hours": "2", "starts_at": start.isoformat(), "ends_at": start.isoformat()},
    )
    assert r.status_code == 409 and r.json()["error"] == "invalid_window"
    assert ServiceRequest.objects.count() == 0


# --- offers --------------------------------------------------------------------------------------


def test_it_publishes_and_books_offers(personas: Personas, funded: Account, elder, helper) -> None:
    r = api(helper.account).post(f"{BASE}/offers/", {"category": "haircut", "description": "上门理发"})
    assert r.status_code == 201, r.content
    offer = r.json()
    assert offer["provider"] == {"retiree": helper.pk, "name": "王志强"} and offer["is_active"] is True
    assert api(elder.account).post(f"{BASE}/offers/", {"category": "haircut", "description": "x"}).json()["error"] == (
        "not_provider"
    )
    assert [o["id"] for o in api(elder.account).get(f"{BASE}/offers/").json()["results"]] == [offer["id"]]
    r = api(elder.account).post(f"{BASE}/offers/{offer['id']}/book/", {"expected_hours": "1", **window()})
    assert r.status_code == 201, r.content
    booked = r.json()
    assert booked["status"] == "accepted" and booked["provider"]["retiree"] == helper.pk
    assert booked["offer"] == offer["id"] and booked["category"] == "haircut"
    r = api(helper.account).post(f"{BASE}/offers/{offer['id']}/book/", {"expected_hours": "1", **window()})
    assert r.status_code == 409 and r.json()["error"] == "self_service"
    assert api(elder.account).post(f"{BASE}/offers/{offer['id']}/withdraw/").status_code == 403
    assert api(helper.account).post(f"{BASE}/offers/{offer['id']}/withdraw/").json()["is_active"] is False
    r = api(elder.account).post(f"{BASE}/offers/{offer['id']}/book/", {"expected_hours": "1", **window()})
    assert r.status_code == 404  # withdrawn offers leave the list
    r = api(personas.owner).post(
        f"{BASE}/offers/{offer['id']}/book/", {"recipient": elder.pk, "expected_hours": "1", **window()}
    )
    assert r.status_code == 409 and r.json()["error"] == "invalid_state"


def test_it_scopes_offers_for_staff(personas: Personas, helper) -> None:
    offer = Offer.objects.get(
        pk=api(helper.account).post(f"{BASE}/offers/", {"category": "meals", "description": "送餐"}).json()["id"]
    )
    assert [o["id"] for o in api(personas.owner).get(f"{BASE}/offers/").json()["results"]] == [offer.pk]
    assert api(personas.outsider).get(f"{BASE}/offers/").json()["results"] == []
    assert api(personas.outsider).get(f"{BASE}/offers/{offer.pk}/").status_code == 404
    assert api(personas.norole).get(f"{BASE}/offers/").status_code == 403


def test_it_publishes_the_endpoints_in_the_schema(personas: Personas) -> None:
    # The schema is for signed-in callers only.
    schema = api(personas.limited).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/timebank/accounts/me/",
        "/api/v1/timebank/accounts/{retiree}/",
        "/api/v1/timebank/pools/{org_code}/issue/",
        "/api/v1/timebank/grants/",
        "/api/v1/timebank/donations/",
        "/api/v1/timebank/gifts/",
        "/api/v1/timebank/requests/",
        "/api/v1/timebank/requests/{id}/confirm/",
        "/api/v1/timebank/offers/{id}/book/",
    ):
        assert path in schema["paths"], path

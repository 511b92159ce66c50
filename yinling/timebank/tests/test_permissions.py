"""Every time bank page and endpoint: anonymous → sign-in, outside the subtree → 404, without the permission → 403.

The generic ScopedViewPermissionTests cover members (accounts) and needs (service requests):
list, detail, create, export and the API. A ledger has no edit or delete, so "edit" there is
the nearest staff change (the provider flag; matching a provider), tested the same way. The
remaining pages and actions are checked one by one below.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yinling.accounts import roles
from yinling.registry.models import Retiree
from yinling.testing.permissions import ScopedViewPermissionTests, login_client
from yinling.testing.personas import Personas, make_personas, make_user
from yinling.timebank import services
from yinling.timebank.models import Account, ServiceRequest
from yinling.timebank.tests.factories import person, sign_in_account

H = Decimal


def _member(p: Personas, where: str, *, name: str, age: int = 86, provider: bool = False) -> Account:
    org = p.tree.unit_a if where == "own" else p.tree.county_b
    retiree = person(org, age=age, name=name)
    return services.do_join(by=None, retiree=retiree, as_provider=provider)


class TestMemberPermissions(ScopedViewPermissionTests):
    model = Account
    list_url = "/timebank/members/"
    api_list_url = "/api/v1/timebank/accounts/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER

    def make(self, p: Personas, where: str) -> Account:
        return _member(p, where, name="本区会员" if where == "own" else "外区会员", age=66, provider=True)

    def marker(self, obj: Any) -> str:
        return obj.retiree.name

    def detail_url(self, obj: Any) -> str:
        return f"/timebank/members/{obj.retiree_id}/"

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/timebank/accounts/{obj.retiree_id}/"

    # Members are enrolled from a registry record, not through an add form.
    def test_it_creates_in_the_subtree(self, p: Personas) -> None:
        newcomer = person(p.tree.unit_a, age=70)
        response = self.client_for(p.owner).post(f"/timebank/members/{newcomer.pk}/enrol/")
        assert response.status_code == 302
        assert Account.objects.filter(retiree=newcomer).exists()

    def test_it_refuses_to_create_outside_the_subtree(self, p: Personas) -> None:
        stranger = person(p.tree.county_b, age=70)
        assert self.client_for(p.owner).post(f"/timebank/members/{stranger.pk}/enrol/").status_code == 404
        assert not Account.objects.filter(retiree=stranger).exists()

    def test_it_forbids_create_to_the_limited_role(self, p: Personas) -> None:
        newcomer = person(p.tree.unit_a, age=70)
        assert self.client_for(p.limited).get("/timebank/members/enrol/").status_code == 403
        assert self.client_for(p.limited).post(f"/timebank/members/{newcomer.pk}/enrol/").status_code == 403
        assert not Account.objects.filter(retiree=newcomer).exists()

    # "Edit" for a member is the provider flag (balances change only through transfers).
    def edit_url(self, obj: Any) -> str:
        return f"/timebank/members/{obj.retiree_id}/provider/"

    def test_it_edits_in_the_subtree(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert self.client_for(p.owner).post(self.edit_url(own), {"provider": "0"}).status_code == 302
        own.refresh_from_db()
        assert own.is_provider is False

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert self.client_for(p.limited).post(self.edit_url(own), {"provider": "0"}).status_code == 403
        own.refresh_from_db()
        assert own.is_provider is True

    def test_it_hides_edit_outside_the_subtree(self, p: Personas) -> None:
        other = self.make(p, "other")
        assert self.client_for(p.owner).post(self.edit_url(other), {"provider": "0"}).status_code == 404

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        pytest.skip("an account has no org of its own to edit: it follows the registry record's moves")


class TestRequestPermissions(ScopedViewPermissionTests):
    model = ServiceRequest
    list_url = "/timebank/requests/"
    add_url = "/timebank/requests/add/"
    api_list_url = "/api/v1/timebank/requests/"
    full_role = roles.BUREAU_ADMIN
    limited_role = roles.LEADER

    def make(self, p: Personas, where: str) -> ServiceRequest:
        account = _member(p, where, name="本区老人" if where == "own" else "外区老人")
        assert account.retiree is not None
        start = timezone.now() + dt.timedelta(hours=2)
        return services.do_post_need(
            by=None,
            recipient=account.retiree,
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            expected_hours=H("1"),
        )

    def marker(self, obj: Any) -> str:
        return obj.recipient.retiree.name

    def detail_url(self, obj: Any) -> str:
        return f"/timebank/requests/{obj.pk}/"

    def api_detail_url(self, obj: Any) -> str:
        return f"/api/v1/timebank/requests/{obj.pk}/"

    def form_data(self, p: Personas, obj: Any, where: str) -> dict[str, Any]:
        org = p.tree.unit_a if where == "own" else p.tree.county_b
        recipient = person(org, age=88)
        return {
            "recipient": recipient.pk,
            "category": "cleaning",
            "day": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "start": "09:00",
            "expected_hours": "2",
        }

    # "Edit" for a need is staff matching a provider to it (the rest are the recipient's steps).
    def edit_url(self, obj: Any) -> str:
        return f"/timebank/requests/{obj.pk}/assign/"

    def _provider(self, p: Personas) -> Retiree:
        account = _member(p, "own", name="本区服务者", age=64, provider=True)
        assert account.retiree is not None
        return account.retiree

    def test_it_edits_in_the_subtree(self, p: Personas) -> None:
        own = self.make(p, "own")
        response = self.client_for(p.owner).post(self.edit_url(own), {"provider": self._provider(p).pk})
        assert response.status_code == 302
        own.refresh_from_db()
        assert own.status == "accepted"

    def test_it_forbids_edit_to_the_limited_role(self, p: Personas) -> None:
        own = self.make(p, "own")
        assert (
            self.client_for(p.limited).post(self.edit_url(own), {"provider": self._provider(p).pk}).status_code == 403
        )
        own.refresh_from_db()
        assert own.status == "open"

    def test_it_hides_edit_outside_the_subtree(self, p: Personas) -> None:
        other = self.make(p, "other")
        assert self.client_for(p.owner).post(self.edit_url(other), {"provider": 1}).status_code == 404

    def test_it_refuses_an_edit_that_moves_the_object_out_of_scope(self, p: Personas) -> None:
        own = self.make(p, "own")
        outsider_provider = _member(p, "other", name="外区服务者", age=64, provider=True)
        self.client_for(p.owner).post(self.edit_url(own), {"provider": outsider_provider.retiree_id})
        own.refresh_from_db()
        assert own.status == "open" and own.provider_id is None  # nobody outside the scope can be matched


# --- the other pages and actions, one by one -----------------------------------------------------


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=H("50"), reason="发放", document_no="1号")
    elder = services.do_join(by=None, retiree=person(p.tree.unit_a, age=88)).retiree
    helper = services.do_join(by=None, retiree=person(p.tree.unit_a, age=64), as_provider=True).retiree
    grant = services.do_grant(by=p.owner, retiree=elder, hours=H("2"), reason="慰问").transfer
    start = timezone.now() - dt.timedelta(minutes=30)  # under way: its hours may be reported
    needs = {}
    for state in ("open", "reported", "disputed"):
        need = services.do_post_need(
            by=None,
            recipient=elder,
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            expected_hours=H("1"),
        )
        if state != "open":
            services.do_accept(by=None, need=need, provider=helper)
            services.do_report(by=None, need=need, hours=H("1"))
        if state == "disputed":
            services.do_dispute(by=None, need=need, reason="x")
        needs[state] = need
    clerk = make_user("clerk", p.tree.city_a, roles.CLERK)
    return {"p": p, "elder": elder, "helper": helper, "grant": grant, "needs": needs, "clerk": clerk}


def _pages(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    e, n, g = w["elder"], w["needs"], w["grant"]
    return [
        ("get", "/timebank/", {}),
        ("get", "/timebank/members/enrol/", {}),
        ("get", f"/timebank/members/{e.pk}/statement/", {}),
        ("post", f"/timebank/members/{e.pk}/grant/", {"hours": "1", "reason": "x"}),
        ("get", f"/timebank/needs/{n['reported'].pk}/confirm/", {}),
        ("post", f"/timebank/needs/{n['reported'].pk}/confirm/", {"rating": "5"}),
        ("get", f"/timebank/needs/{n['reported'].pk}/dispute/", {}),
        ("get", f"/timebank/needs/{n['open'].pk}/cancel/", {}),
        ("post", f"/timebank/needs/{n['open'].pk}/no-show/", {}),
        ("post", f"/timebank/requests/{n['disputed'].pk}/resolve/", {"hours": "1", "note": "x"}),
        ("post", f"/timebank/requests/{n['open'].pk}/report/", {"hours": "1"}),
        ("get", "/timebank/ledger/", {}),
        ("get", f"/timebank/ledger/{g.pk}/reverse/", {}),
        ("get", "/timebank/pools/", {}),
        ("get", "/timebank/pools/330100/", {}),
        ("post", "/timebank/pools/330100/issue/", {"hours": "1", "reason": "x", "document_no": "y"}),
        ("post", "/timebank/pools/330100/grant/", {"member": e.pk, "hours": "1", "reason": "x"}),
        ("get", "/timebank/reports/", {}),
    ]


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in_everywhere(world: dict[str, Any]) -> None:
    client = login_client(None)
    member_pages = ["/timebank/needs/new/", "/timebank/board/", "/timebank/services/", "/timebank/donate/"]
    for url in [*member_pages, "/timebank/gift/", "/timebank/statement/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for method, url, data in _pages(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.django_db
def test_it_hides_everything_from_another_subtree(world: dict[str, Any]) -> None:
    outsider = login_client(world["p"].outsider)
    for method, url, data in _pages(world):
        if url in (
            "/timebank/",
            "/timebank/members/enrol/",
            "/timebank/ledger/",
            "/timebank/pools/",
            "/timebank/reports/",
        ):
            continue  # lists: the outsider sees their own subtree there
        assert getattr(outsider, method)(url, data).status_code == 404, url


@pytest.mark.django_db
def test_it_forbids_what_a_role_lacks(world: dict[str, Any]) -> None:
    p = world["p"]
    norole, leader, clerk = login_client(p.norole), login_client(p.limited), login_client(world["clerk"])
    for method, url, data in _pages(world):
        assert getattr(norole, method)(url, data).status_code in (403, 404), url
    reads = {"/timebank/", "/timebank/ledger/", "/timebank/pools/", "/timebank/pools/330100/", "/timebank/reports/"}
    reads.add(f"/timebank/members/{world['elder'].pk}/statement/")
    for method, url, data in _pages(world):
        expected = 200 if url in reads else 403
        assert getattr(leader, method)(url, data).status_code == expected, url
    # Clerks work the desk but neither issue hours nor reverse transfers (bureau admins do).
    assert clerk.post("/timebank/pools/330100/issue/", {"hours": "1", "reason": "x"}).status_code == 403
    assert clerk.get(f"/timebank/ledger/{world['grant'].pk}/reverse/").status_code == 403
    assert clerk.get(f"/timebank/members/{world['elder'].pk}/statement/").status_code == 200


@pytest.mark.django_db
def test_it_lets_the_full_role_use_every_page(world: dict[str, Any]) -> None:
    owner = login_client(world["p"].owner)
    for method, url, data in _pages(world):
        assert getattr(owner, method)(url, data).status_code in (200, 302), url


@pytest.mark.django_db
def test_it_forbids_exports_without_the_permission(world: dict[str, Any]) -> None:
    leader = login_client(world["p"].limited)
    for url in ("/timebank/reports/?export=xlsx", "/timebank/ledger/?export=xlsx", "/timebank/members/?export=xlsx"):
        assert leader.get(url).status_code == 403, url
        assert leader.post(url).status_code in (403, 405), url
        # The monthly report's spreadsheet is a job: a GET gets the page whose button starts it.
        assert login_client(world["p"].owner).get(url).status_code == 200, url


@pytest.mark.django_db
def test_it_keeps_member_pages_to_members(world: dict[str, Any]) -> None:
    """Staff who are not acting for anyone have no member pages; members see only their own."""
    owner = login_client(world["p"].owner)
    for url in ("/timebank/needs/new/", "/timebank/board/", "/timebank/services/", "/timebank/donate/"):
        assert owner.get(url).status_code == 404, url
    other = person(world["p"].tree.unit_a, age=70)
    services.do_join(by=None, retiree=other)
    client = login_client(sign_in_account(other))
    reported = world["needs"]["reported"]
    assert client.get(f"/timebank/needs/{reported.pk}/confirm/").status_code == 404
    assert client.get(f"/timebank/requests/{reported.pk}/").status_code == 404  # staff pages: no roles
    assert client.get("/timebank/members/").status_code == 403
    assert client.get("/timebank/ledger/").status_code == 403


@pytest.mark.django_db
def test_it_guards_the_api_transfer_endpoints(world: dict[str, Any]) -> None:
    p, elder = world["p"], world["elder"]

    def call(user: Any, url: str, data: dict[str, Any]) -> int:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client.post(url, data).status_code

    endpoints = [
        ("/api/v1/timebank/pools/330100/issue/", {"hours": "1", "reason": "x"}),
        ("/api/v1/timebank/grants/", {"to": elder.pk, "hours": "1", "reason": "x"}),
        ("/api/v1/timebank/donations/", {"retiree": elder.pk, "hours": "1"}),
        ("/api/v1/timebank/gifts/", {"retiree": elder.pk, "to": world["helper"].pk, "hours": "1"}),
    ]
    for url, data in endpoints:
        assert call(None, url, data) in (401, 403), url
        assert call(p.outsider, url, data) == 404, url
        assert call(p.limited, url, data) == 403, url
    assert call(world["clerk"], endpoints[0][0], endpoints[0][1]) == 403

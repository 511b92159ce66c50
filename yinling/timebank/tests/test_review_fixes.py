"""Fixes from a review: dispute settlements, issuance documents, expiry races, the API's org
filter and the OpenAPI schema of refusals and transfer answers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from yinling.registry.models import Retiree
from yinling.testing.permissions import api_client as api
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, ServiceRequest, Transfer
from yinling.timebank.services import needs as service_needs
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db
H = Decimal
BASE = "/api/v1/timebank"



@pytest.fixture
def helper(personas: Personas) -> Retiree:
    r = person(personas.tree.unit_a, age=63)
    services.do_join(by=personas.owner, retiree=r, as_provider=True)
    return r


def need_for(
    personas: Personas, provider: Retiree | None, *, hours: str = "2", starts_at: dt.datetime | None = None
) -> ServiceRequest:
    elder = person(personas.tree.unit_a, age=88)
    start = starts_at or timezone.now() - dt.timedelta(hours=4)
    need = services.do_post_need(
        by=personas.owner,
        recipient=elder,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H(hours),
    )
    if provider is not None:
        need = services.do_accept(by=personas.owner, need=need, provider=provider)
    return need


def disputed(personas: Personas, helper: Retiree) -> ServiceRequest:
    need = need_for(personas, helper)
    services.do_report(by=personas.owner, need=need, hours=H("2"))
    return services.do_dispute(by=personas.owner, need=need, reason="只来了一个小时")


# --- 1. settling a dispute: no negative hours, whole units only -------------------------------------


def test_it_refuses_negative_or_fractional_settlement_hours_in_the_api(
    personas: Personas, funded: Account, helper: Retiree
) -> None:
    need = disputed(personas, helper)
    url = f"{BASE}/requests/{need.pk}/resolve/"
    for hours, words in (("-2", "负数"), ("0.3", "0.5")):
        r = api(personas.owner).post(url, {"hours": hours, "note": "电话核实"})
        assert r.status_code == 400, r.content
        assert list(r.json()) == ["hours"] and words in r.json()["hours"][0]
    r = api(personas.owner).post(url, {"hours": "1"})
    assert r.status_code == 400 and list(r.json()) == ["note"]
    need.refresh_from_db()
    assert need.status == "disputed" and need.actual_hours == H("2")  # nothing written
    assert not Transfer.objects.filter(kind="service").exists()
    r = api(personas.owner).post(url, {"hours": "1.5", "note": "电话核实"})
    assert r.status_code == 200 and r.json()["actual_hours"] == "1.50"


def test_it_settles_a_dispute_for_nothing_with_zero_hours(personas: Personas, funded: Account, helper) -> None:
    need = disputed(personas, helper)
    r = api(personas.owner).post(f"{BASE}/requests/{need.pk}/resolve/", {"hours": "0", "note": "未提供服务"})
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["actual_hours"] == "0.00"
    assert not Transfer.objects.filter(kind="service").exists()


def test_it_refuses_negative_settlement_hours_in_the_service_for_every_caller(
    personas: Personas, funded: Account, helper: Retiree
) -> None:
    need = disputed(personas, helper)
    for hours in (H("-2"), H("0.3"), "abc"):
        with pytest.raises(Refused) as exc:
            services.do_resolve(by=personas.owner, need=need, hours=hours, note="x")  # type: ignore[arg-type]
        assert exc.value.code == "invalid_amount"
    need.refresh_from_db()
    assert need.status == "disputed"


# --- 2. issuance needs a document number, whoever calls ----------------------------------------------


def test_it_refuses_issuance_without_a_document_number_in_the_service(personas: Personas) -> None:
    for document_no in ("", "  "):
        with pytest.raises(Refused) as exc:
            services.do_issue(
                by=personas.owner, org=personas.tree.city_a, hours=H("5"), reason="发放", document_no=document_no
            )
        assert exc.value.code == "document_required"
    with pytest.raises(Refused):
        services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("5"), reason="发放")
    assert not Transfer.objects.exists()


def test_it_answers_400_naming_the_document_number_in_the_api(personas: Personas) -> None:
    url = f"{BASE}/pools/330106/issue/"
    for body in ({"hours": "10", "reason": "区级发放"}, {"hours": "10", "reason": "区级发放", "document_no": " "}):
        r = api(personas.owner).post(url, body, format="json")
        assert r.status_code == 400 and list(r.json()) == ["document_no"], r.content
        assert "文号" in r.json()["document_no"][0]
    assert not Transfer.objects.exists()
    r = api(personas.owner).post(url, {"hours": "10", "reason": "区级发放", "document_no": "西老干〔2026〕2号"})
    assert r.status_code == 201 and r.json()["transfer"]["document_no"] == "西老干〔2026〕2号"


# --- 3. expiry skips a need taken on between its query and its lock ----------------------------------


def test_it_skips_a_need_accepted_while_expiring_and_goes_on(
    personas: Personas, helper: Retiree, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_ago = timezone.now() - dt.timedelta(days=2)
    first, second = (need_for(personas, None, starts_at=long_ago) for _ in range(2))
    real_atomic = transaction.atomic
    raced: list[int] = []

    def racing_atomic(*args: Any, **kwargs: Any) -> Any:
        # The command has read the overdue needs; before it locks the first one, a provider accepts it.
        if not raced:
            raced.append(first.pk)
            services.do_accept(by=personas.owner, need=first, provider=helper)
        return real_atomic(*args, **kwargs)

    # Only the service cycle module's runtime `transaction.atomic()` (the one around each expiry) is wrapped.
    monkeypatch.setattr(service_needs, "transaction", SimpleNamespace(atomic=racing_atomic))
    out = io.StringIO()
    call_command("expire_timebank_requests", stdout=out)
    assert raced == [first.pk]
    assert "expired 1 open time bank request" in out.getvalue() and "skipped 1" in out.getvalue()
    assert ServiceRequest.objects.get(pk=first.pk).status == "accepted"
    assert ServiceRequest.objects.get(pk=second.pk).status == "expired"


def test_it_counts_what_it_expired_and_skipped(personas: Personas) -> None:
    long_ago = timezone.now() - dt.timedelta(days=2)
    need_for(personas, None, starts_at=long_ago)
    need_for(personas, None, starts_at=timezone.now() + dt.timedelta(hours=1))  # its window has not passed
    result = services.expire_overdue()
    assert (result.expired, result.skipped) == (1, 0)


# --- 5. the requests API's org filter takes a code ---------------------------------------------------


def test_it_filters_requests_by_org_code_in_the_api(personas: Personas) -> None:
    t = personas.tree
    near = need_for(personas, None)
    other = person(t.county_a, age=90)
    start = timezone.now() + dt.timedelta(hours=1)
    far = services.do_post_need(
        by=personas.owner,
        recipient=other,
        category="meals",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        expected_hours=H("1"),
    )

    def ids(query: str) -> list[int]:
        r = api(personas.owner).get(f"{BASE}/requests/?{query}")
        assert r.status_code == 200, r.content
        return sorted(n["id"] for n in r.json()["results"])

    assert ids("org=330106U01") == [near.pk]  # a unit's code
    assert ids("org=330106") == sorted([near.pk, far.pk])  # a bureau's code: its subtree
    assert ids("org=330100") == sorted([near.pk, far.pk])
    assert ids("org=330200") == []  # outside the caller's scope
    assert ids(f"org={t.county_a.pk}") == []  # an id is not a code
    assert ids("org=nonesuch") == []


# --- 7. the schema declares refusals and the answers' shapes -----------------------------------------


def test_it_declares_refusals_and_transfer_answers_in_the_schema(personas: Personas) -> None:
    # The schema is for signed-in callers only.
    schema = api(personas.limited).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]

    def response(path: str, method: str, code: str) -> dict[str, Any]:
        return paths[path][method]["responses"][code]["content"]["application/json"]["schema"]

    refusal = {"$ref": "#/components/schemas/Refusal"}
    assert set(components["Refusal"]["properties"]) == {"error", "message"}
    steps = ("accept", "report", "confirm", "cancel", "no_show", "dispute", "resolve")
    for path in (
        "/api/v1/timebank/pools/{org_code}/issue/",
        "/api/v1/timebank/grants/",
        "/api/v1/timebank/donations/",
        "/api/v1/timebank/gifts/",
        "/api/v1/timebank/requests/",
        "/api/v1/timebank/offers/",
        "/api/v1/timebank/offers/{id}/book/",
        "/api/v1/timebank/offers/{id}/withdraw/",
        *(f"/api/v1/timebank/requests/{{id}}/{step}/" for step in steps),
    ):
        assert response(path, "post", "409") == refusal, path
    issue = components[response("/api/v1/timebank/pools/{org_code}/issue/", "post", "201")["$ref"].split("/")[-1]]
    assert set(issue["properties"]) == {"transfer", "pool"}
    grant = components[response("/api/v1/timebank/grants/", "post", "201")["$ref"].split("/")[-1]]
    assert {"transfer", "overflow", "balance", "message"} == set(grant["properties"])
    gift = components[response("/api/v1/timebank/gifts/", "post", "201")["$ref"].split("/")[-1]]
    assert "recipient_balance" in gift["properties"]
    donation = components[response("/api/v1/timebank/donations/", "post", "201")["$ref"].split("/")[-1]]
    assert set(donation["properties"]) == {"transfer", "balance"}
    listed = components[response("/api/v1/timebank/accounts/", "get", "200")["$ref"].split("/")[-1]]
    row = components[listed["properties"]["results"]["items"]["$ref"].split("/")[-1]]
    assert set(row["properties"]) == {"account", "retiree", "name", "org", "balance", "is_provider"}
    assert "document_no" in components["IssueInputRequest"]["required"]


def test_it_answers_the_account_list_with_the_rows_the_schema_declares(personas: Personas, helper) -> None:
    rows = api(personas.owner).get(f"{BASE}/accounts/").json()["results"]
    assert [set(row) for row in rows] == [{"account", "retiree", "name", "org", "balance", "is_provider"}]

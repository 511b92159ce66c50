"""The time bank's cockpit panels against hand-counted ledgers, for each scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from yinling.accounts import roles
from yinling.testing.personas import Personas, make_user
from yinling.timebank import panels, services
from yinling.timebank.models import ServiceRequest
from yinling.timebank.tests.factories import person
from yinling.timebank.tests.test_reports import serve

pytestmark = pytest.mark.django_db
H = Decimal
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def ledger(personas: Personas) -> dict[str, Any]:
    """City A: a grant of 5 h in April, a 2 h service in June, a need still open; city B: a 1 h service in June."""
    p = personas
    t = p.tree
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=CST), tick=True):
        services.do_issue(by=p.owner, org=t.city_a, hours=H("100"), reason="发放", document_no="1号")
        services.do_issue(by=p.outsider, org=t.city_b, hours=H("50"), reason="发放", document_no="2号")
        provider = services.do_join(by=None, retiree=person(t.unit_a, age=63), as_provider=True).retiree
        young = person(t.county_a, age=70)
        services.do_grant(by=p.owner, retiree=young, hours=H("5"), reason="补助")
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CST), tick=True):
        serve(p, person(t.unit_a, age=88), provider, "2")
        start = dt.datetime(2026, 6, 20, 9, 0, tzinfo=CST)
        services.do_post_need(
            by=None,
            recipient=young,
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            expected_hours=H("1"),
        )
        provider_b = services.do_join(by=None, retiree=person(t.county_b, age=60), as_provider=True).retiree
        serve(p, person(t.county_b, age=91), provider_b, "1")
    return {
        "p": p,
        "t": t,
        "province": make_user("prov", t.province, roles.BUREAU_ADMIN),
        "city": p.owner,
        "leader": p.limited,
        "other_city": p.outsider,
        "county": make_user("countyclerk", t.county_a, roles.CLERK),
    }


def series(data: Any) -> dict[str, dict[str, float]]:
    return {s.name: {c: v for c, v in zip(data.categories, s.values, strict=True) if v} for s in data.series}


@pytest.mark.parametrize(
    ("who", "at", "served", "granted"),
    [
        ("city", "city_a", {"2026-06": 2.0}, {"2026-04": 5.0}),
        ("leader", "city_a", {"2026-06": 2.0}, {"2026-04": 5.0}),
        ("other_city", "city_b", {"2026-06": 1.0}, {}),
        ("province", "province", {"2026-06": 3.0}, {"2026-04": 5.0}),
        ("county", "county_a", {"2026-06": 2.0}, {"2026-04": 5.0}),  # the provider is in the county's unit
        ("province", "county_b", {"2026-06": 1.0}, {}),
    ],
)
def test_it_sums_hours_by_month_inside_the_scope(
    ledger: dict[str, Any], who: str, at: str, served: dict[str, float], granted: dict[str, float]
) -> None:
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, 0, tzinfo=CST), tick=False):
        data = panels.hours_by_month(ledger[who], getattr(ledger["t"], at))
    assert data.categories[0] == "2025-08" and data.categories[-1] == "2026-07"  # the last 12 months
    assert series(data) == {"服务时长": served, "发放时长": granted}


def test_it_leaves_out_months_older_than_a_year(ledger: dict[str, Any]) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 2, 9, 0, tzinfo=CST), tick=False):
        data = panels.hours_by_month(ledger["province"], ledger["t"].province)
    assert data.categories[0] == "2026-06"
    assert series(data) == {"服务时长": {"2026-06": 3.0}, "发放时长": {}}


def test_it_counts_needs_waiting_by_kind_and_stage(ledger: dict[str, Any]) -> None:
    t = ledger["t"]
    data = panels.open_needs(ledger["province"], t.province)
    meals, company = str(ServiceRequest.Category.MEALS.label), str(ServiceRequest.Category.COMPANY.label)
    open_, accepted, reported = (str(ServiceRequest.Status(s).label) for s in panels.WAITING)
    assert series(data) == {open_: {meals: 1}, accepted: {}, reported: {}}
    # A need reported done but not confirmed waits too; confirmed ones do not.
    with time_machine.travel(dt.datetime(2026, 6, 16, 10, 0, tzinfo=CST), tick=True):
        provider = services.do_join(by=None, retiree=person(t.unit_a, age=64), as_provider=True).retiree
        serve(ledger["p"], person(t.unit_a, age=85), provider, "1", confirm=False)
    assert series(panels.open_needs(ledger["county"], t.county_a)) == {
        open_: {meals: 1},
        accepted: {},
        reported: {company: 1},
    }
    assert sum(sum(s.values) for s in panels.open_needs(ledger["other_city"], t.city_b).series) == 0


def test_it_counts_member_balances_by_band(ledger: dict[str, Any]) -> None:
    t = ledger["t"]
    province = panels.balances(ledger["province"], t.province)
    # Members: city A's provider (2 h earned), the granted member (5 h), the served elder (0, pool paid);
    # city B's provider (1 h) and elder (0).
    assert series(province)["会员"] == {"无余额": 2, "0.5–10 h": 3}
    city_b = panels.balances(ledger["other_city"], t.city_b)
    assert series(city_b)["会员"] == {"无余额": 1, "0.5–10 h": 1}

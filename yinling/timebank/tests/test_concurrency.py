"""Real threads against PostgreSQL: no lost or duplicated hours, no overdraft, caps hold."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yinling.testing.concurrency import run_threads
from yinling.testing.personas import make_personas
from yinling.timebank import ledger, services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Rule, ServiceRequest, Transfer
from yinling.timebank.tests.factories import person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def test_it_never_overdraws_under_concurrent_donations() -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=Decimal("10"), reason="发放", document_no="1号")
    members = [person(p.tree.unit_a, age=85) for _ in range(2)]
    for m in members:
        services.do_grant(by=p.owner, retiree=m, hours=Decimal("5"), reason="补助")
    refused = []

    def donate(i: int) -> None:
        try:
            services.do_donate(by=p.owner, retiree=members[i % 2], hours=Decimal("1"))
        except Refused as exc:
            refused.append(exc.code)

    assert run_threads(16, donate) == []
    assert sorted(set(refused)) == ["insufficient_balance"] and len(refused) == 6  # 16 tries, 10 hours
    for m in members:
        assert services.member_account(m).balance == 0
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []


def test_it_holds_the_daily_cap_under_concurrent_confirmations() -> None:
    p = make_personas()
    # 8 hours recorded under an 8-hour cap, which is then lowered to 4 before anyone confirms: the
    # confirmations re-check the cap under the provider's row lock, against the hours already paid that day.
    rule = Rule.objects.create(org=p.tree.city_a, daily_cap=Decimal("8"))
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=Decimal("100"), reason="发放", document_no="1号")
    provider = person(p.tree.unit_a, age=63)
    services.do_join(by=p.owner, retiree=provider, as_provider=True)
    start = timezone.now()
    needs = []
    for _ in range(8):
        elder = person(p.tree.unit_a, age=88)
        need = services.do_post_need(
            by=p.owner,
            recipient=elder,
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            expected_hours=Decimal("1"),
        )
        services.do_accept(by=p.owner, need=need, provider=provider)
        needs.append(services.do_report(by=p.owner, need=need, hours=Decimal("1")))
    rule.daily_cap = Decimal("4")
    rule.save()

    def confirm(i: int) -> None:
        try:
            services.do_confirm(by=p.owner, need=needs[i], rating=5)
        except Refused as exc:
            assert exc.code == "daily_cap"

    assert run_threads(8, confirm) == []
    assert services.member_account(provider).balance == Decimal("4")
    assert ServiceRequest.objects.filter(status="confirmed").count() == 4
    assert Transfer.objects.filter(kind="service").count() == 4


def test_it_holds_the_daily_cap_under_concurrent_reports() -> None:
    p = make_personas()
    Rule.objects.create(org=p.tree.city_a, daily_cap=Decimal("4"))
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=Decimal("100"), reason="发放", document_no="1号")
    provider = person(p.tree.unit_a, age=63)
    services.do_join(by=p.owner, retiree=provider, as_provider=True)
    day = timezone.localdate() - dt.timedelta(days=1)
    needs = []
    for k in range(8):
        # Eight services on the same day, at different hours: 1 hour each against a 4-hour cap.
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + k)))
        need = services.do_post_need(
            by=p.owner,
            recipient=person(p.tree.unit_a, age=88),
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            expected_hours=Decimal("1"),
        )
        needs.append(services.do_accept(by=p.owner, need=need, provider=provider))
    refused = []

    def report(i: int) -> None:
        try:
            services.do_report(by=p.owner, need=needs[i], hours=Decimal("1"))
        except Refused as exc:
            refused.append(exc.code)

    assert run_threads(8, report) == []
    assert refused == ["daily_cap"] * 4
    reported = ServiceRequest.objects.filter(status="reported")
    assert reported.count() == 4 and ServiceRequest.objects.filter(status="accepted", actual_hours=None).count() == 4
    for need in reported:
        services.do_confirm(by=p.owner, need=need, rating=5)
    assert services.member_account(provider).balance == Decimal("4")


def test_it_loses_no_hours_when_many_clients_hit_the_same_accounts() -> None:
    p = make_personas()
    services.do_issue(by=p.owner, org=p.tree.city_a, hours=Decimal("1000"), reason="发放", document_no="1号")
    pool = services.pool_for(p.tree.city_a)
    members = [person(p.tree.unit_a, age=82) for _ in range(3)]
    for m in members:
        services.do_join(by=p.owner, retiree=m)

    def churn(i: int) -> None:
        for k in range(10):
            m = members[(i + k) % 3]
            services.do_grant(by=p.owner, retiree=m, hours=Decimal("1"), reason="补助")
            with contextlib.suppress(Refused):
                services.do_donate(by=p.owner, retiree=members[(i + k + 1) % 3], hours=Decimal("0.5"))

    assert run_threads(12, churn) == []
    pool.refresh_from_db()
    balances = sum(Account.objects.filter(kind="member").values_list("balance", flat=True))
    assert pool.balance + balances == Decimal("1000")
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []

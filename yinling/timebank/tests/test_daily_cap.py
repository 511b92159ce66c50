"""The provider's daily cap: hours served on the day the service took place, from the provider's own rule,
checked when the hours are recorded and again when they move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.testing.personas import Personas
from yinling.timebank import services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Rule, ServiceRequest
from yinling.timebank.tests.factories import person

pytestmark = pytest.mark.django_db
H = Decimal


@pytest.fixture
def funded(personas: Personas) -> Account:
    services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("200"), reason="年度发放", document_no="1号")
    return services.pool_for(personas.tree.city_a)


def provider_in(org: Org, personas: Personas) -> Retiree:
    r = person(org, age=63)
    services.do_join(by=personas.owner, retiree=r, as_provider=True)
    return r


def at(days_ago: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def accepted(personas: Personas, provider: Retiree, starts_at: dt.datetime, hours: str) -> ServiceRequest:
    elder = person(personas.tree.unit_a, age=88)  # a priority elder: the pool pays
    need = services.do_post_need(
        by=personas.owner,
        recipient=elder,
        category="company",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=8),
        expected_hours=H(hours),
    )
    return services.do_accept(by=personas.owner, need=need, provider=provider)


def served(personas: Personas, provider: Retiree, starts_at: dt.datetime, hours: str) -> ServiceRequest:
    need = accepted(personas, provider, starts_at, hours)
    return services.do_report(by=personas.owner, need=need, hours=H(hours))


def balance(r: Retiree) -> Decimal:
    account = services.member_account(r)
    assert account is not None
    return account.balance


def test_it_counts_the_hours_served_on_the_services_day_not_the_confirmation_day(
    personas: Personas, funded: Account
) -> None:
    provider = provider_in(personas.tree.unit_a, personas)
    two_days_ago = served(personas, provider, at(2), "6")
    yesterday = served(personas, provider, at(1), "6")
    # Both confirmed today: 12 hours paid today, but 6 for each day the services took place.
    services.do_confirm(by=personas.owner, need=two_days_ago, rating=5)
    services.do_confirm(by=personas.owner, need=yesterday, rating=5)
    assert balance(provider) == H("12")


def test_it_checks_the_daily_cap_when_the_provider_records_hours(personas: Personas, funded: Account) -> None:
    provider = provider_in(personas.tree.unit_a, personas)  # the default rule: 8 h a day
    served(personas, provider, at(1, 8), "5")
    second = accepted(personas, provider, at(1, 14), "4")
    with pytest.raises(Refused) as exc:
        services.do_report(by=personas.owner, need=second, hours=H("4"))
    assert exc.value.code == "daily_cap" and "5" in exc.value.message
    second.refresh_from_db()
    assert second.status == "accepted" and second.actual_hours is None  # nothing half-written
    services.do_report(by=personas.owner, need=second, hours=H("3"))  # 5 + 3 = 8 fits
    other_day = accepted(personas, provider, at(2), "4")
    services.do_report(by=personas.owner, need=other_day, hours=H("4"))  # another day has its own 8 hours


def test_it_counts_cancelled_and_settled_hours_as_they_ended(personas: Personas, funded: Account) -> None:
    provider = provider_in(personas.tree.unit_a, personas)
    first = served(personas, provider, at(1, 8), "6")
    services.do_dispute(by=personas.owner, need=first, reason="只来了一会儿")
    services.do_resolve(by=personas.owner, need=first, hours=H("1"), note="电话核实")
    second = accepted(personas, provider, at(1, 14), "7")
    services.do_report(by=personas.owner, need=second, hours=H("7"))  # 1 + 7 = 8
    services.do_confirm(by=personas.owner, need=second, rating=4)
    assert balance(provider) == H("8")


def test_it_takes_the_daily_cap_from_the_providers_own_rule(personas: Personas, funded: Account) -> None:
    t = personas.tree
    Rule.objects.create(org=t.city_a, daily_cap=H("10"))  # the need's org
    Rule.objects.create(org=t.city_b, daily_cap=H("4"))  # the provider's org
    outsider = provider_in(t.county_b, personas)
    need = accepted(personas, outsider, at(1), "5")
    with pytest.raises(Refused) as exc:
        services.do_report(by=personas.owner, need=need, hours=H("5"))
    assert exc.value.code == "daily_cap"
    Rule.objects.filter(org=t.city_a).update(daily_cap=H("2"))
    Rule.objects.filter(org=t.city_b).update(daily_cap=H("8"))
    services.do_report(by=personas.owner, need=need, hours=H("5"))
    services.do_confirm(by=personas.owner, need=need, rating=5)
    assert balance(outsider) == H("5")


def test_it_checks_the_daily_cap_again_when_the_hours_move(personas: Personas, funded: Account) -> None:
    provider = provider_in(personas.tree.unit_a, personas)
    first = served(personas, provider, at(1, 8), "4")
    second = served(personas, provider, at(1, 13), "4")
    Rule.objects.create(org=personas.tree.city_a, daily_cap=H("6"))  # lowered since the hours were recorded
    services.do_confirm(by=personas.owner, need=first, rating=5)
    with pytest.raises(Refused) as exc:
        services.do_confirm(by=personas.owner, need=second, rating=5)
    assert exc.value.code == "daily_cap"
    assert ServiceRequest.objects.get(pk=second.pk).status == "reported"
    assert balance(provider) == H("4")

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from yinling.testing.personas import Personas
from yinling.timebank import ledger, services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Movement, Rule, ServiceRequest, Transfer
from yinling.timebank.tests.factories import person, relate

pytestmark = pytest.mark.django_db
H = Decimal


@pytest.fixture
def funded(personas: Personas) -> Account:
    services.do_issue(
        by=personas.owner, org=personas.tree.city_a, hours=H("100"), reason="年度发放", document_no="杭老干〔2026〕1号"
    )
    return services.pool_for(personas.tree.city_a)


def test_it_issues_into_a_pool_with_two_movements_summing_to_zero(personas: Personas, funded: Account) -> None:
    transfer = Transfer.objects.get(kind="issuance")
    assert [m.amount for m in transfer.movements.order_by("amount")] == [H("-100"), H("100")]
    assert funded.balance == H("100")
    assert services.issuance_account().balance == H("-100")
    drifts, total, unbalanced = ledger.verify()
    assert drifts == [] and total == 0 and unbalanced == []


def test_it_refuses_issuance_without_rights_or_reason(personas: Personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_issue(by=personas.limited, org=personas.tree.city_a, hours=H("5"), reason="x")
    with pytest.raises(PermissionDenied):
        services.do_issue(by=personas.owner, org=personas.tree.city_b, hours=H("5"), reason="x")
    with pytest.raises(Refused) as exc:
        services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("5"), reason=" ")
    assert exc.value.code == "reason_required"


def test_it_grants_from_the_pool_serving_the_members_org(personas: Personas, funded: Account) -> None:
    elder = person(personas.tree.unit_a, age=85)
    services.do_grant(by=personas.owner, retiree=elder, hours=H("10"), reason="高龄独居")
    assert services.member_account(elder).balance == H("10")
    funded.refresh_from_db()
    assert funded.balance == H("90")


def test_it_refuses_overdrafts_and_fractions_below_the_unit(personas: Personas, funded: Account) -> None:
    elder = person(personas.tree.unit_a, age=85)
    services.do_join(by=personas.owner, retiree=elder)
    with pytest.raises(Refused) as exc:
        services.do_donate(by=personas.owner, retiree=elder, hours=H("1"))
    assert exc.value.code == "insufficient_balance"
    with pytest.raises(Refused) as exc:
        services.do_grant(by=personas.owner, retiree=elder, hours=H("0.3"), reason="x")
    assert exc.value.code == "invalid_amount"


def test_it_sends_earnings_above_the_cap_to_the_pool(personas: Personas, funded: Account) -> None:
    Rule.objects.create(org=personas.tree.city_a, balance_cap=H("12"))
    elder = person(personas.tree.unit_a, age=85)
    posted = services.do_grant(by=personas.owner, retiree=elder, hours=H("10"), reason="a")
    assert posted.overflow is None
    posted = services.do_grant(by=personas.owner, retiree=elder, hours=H("5"), reason="b")
    assert posted.overflow is not None and posted.overflow.amount == H("3")
    assert services.member_account(elder).balance == H("12")
    funded.refresh_from_db()
    assert funded.balance == H("100") - H("15") + H("3")


def test_it_gives_only_to_relatives_recorded_in_the_registry(personas: Personas, funded: Account) -> None:
    mother = person(personas.tree.unit_a, age=70)
    daughter = person(personas.tree.unit_a, age=62)
    stranger = person(personas.tree.unit_a, age=66)
    services.do_grant(by=personas.owner, retiree=mother, hours=H("6"), reason="a")
    with pytest.raises(Refused) as exc:
        services.do_gift(by=personas.owner, giver=mother, to=stranger, hours=H("1"))
    assert exc.value.code == "not_relative"
    relate(mother, daughter)
    services.do_gift(by=personas.owner, giver=mother, to=daughter, hours=H("2"))
    assert services.member_account(daughter).balance == H("2")


def test_it_runs_the_service_cycle(personas: Personas, funded: Account) -> None:
    import datetime as dt

    from django.utils import timezone

    recipient = person(personas.tree.unit_a, age=86, living="alone")
    provider = person(personas.tree.unit_a, age=63)
    services.do_join(by=personas.owner, retiree=provider, as_provider=True)
    start = timezone.now()
    need = services.do_post_need(
        by=personas.owner,
        recipient=recipient,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )
    assert need.paid_by_pool  # 80+ and living alone
    with pytest.raises(Refused):
        services.do_accept(by=personas.owner, need=need, provider=recipient)  # not a provider
    need = services.do_accept(by=personas.owner, need=need, provider=provider)
    need = services.do_report(by=personas.owner, need=need, hours=H("2.5"))
    need = services.do_confirm(by=personas.owner, need=need, rating=5, on_behalf=True)
    assert need.status == ServiceRequest.Status.CONFIRMED
    assert services.member_account(provider).balance == H("2.5")
    service = Transfer.objects.get(kind="service")
    assert service.on_behalf and service.request_id == need.pk


def test_it_holds_the_providers_daily_cap(personas: Personas, funded: Account) -> None:
    import datetime as dt

    from django.utils import timezone

    Rule.objects.create(org=personas.tree.city_a, daily_cap=H("3"))
    provider = person(personas.tree.unit_a, age=63)
    services.do_join(by=personas.owner, retiree=provider, as_provider=True)
    start = timezone.now()
    for hours, ok in ((H("2"), True), (H("1.5"), False)):
        elder = person(personas.tree.unit_a, age=88)
        need = services.do_post_need(
            by=personas.owner,
            recipient=elder,
            category="meals",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            expected_hours=hours,
        )
        services.do_accept(by=personas.owner, need=need, provider=provider)
        if ok:
            services.do_report(by=personas.owner, need=need, hours=hours)
            services.do_confirm(by=personas.owner, need=need, rating=4)
        else:
            # Refused as the provider records the hours (and again, under the row locks, on confirmation).
            with pytest.raises(Refused) as exc:
                services.do_report(by=personas.owner, need=need, hours=hours)
            assert exc.value.code == "daily_cap"
            assert ServiceRequest.objects.get(pk=need.pk).status == "accepted"  # nothing half-written
    assert services.member_account(provider).balance == H("2")


def test_it_reverses_with_a_compensating_transfer(personas: Personas, funded: Account) -> None:
    elder = person(personas.tree.unit_a, age=85)
    grant = services.do_grant(by=personas.owner, retiree=elder, hours=H("4"), reason="a").transfer
    reversal = ledger.reverse(grant, by=personas.owner, reason="重复发放")
    assert reversal.reverses_id == grant.pk
    assert services.member_account(elder).balance == 0
    with pytest.raises(Refused):
        ledger.reverse(grant, by=personas.owner, reason="again")
    assert Transfer.objects.count() == 3  # issuance, grant, reversal: nothing edited or deleted


def test_it_refuses_edits_and_deletes_in_the_database(personas: Personas, funded: Account) -> None:
    movement = Movement.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Movement.objects.filter(pk=movement.pk).update(amount=H("999"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Transfer.objects.all().delete()


def test_it_reports_drift_between_cached_and_derived_balances(personas: Personas, funded: Account) -> None:
    call_command("verify_timebank")
    Account.objects.filter(pk=funded.pk).update(balance=H("99"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="drift"):
        call_command("verify_timebank")


def test_it_keeps_the_account_and_hours_when_a_member_moves(personas: Personas, funded: Account) -> None:
    from yinling.registry.services import do_transfer

    elder = person(personas.tree.unit_a, age=85)
    services.do_grant(by=personas.owner, retiree=elder, hours=H("3"), reason="a")
    do_transfer(by=personas.owner, retiree=elder, to_org=personas.tree.county_b, reason="随子女迁居")
    account = services.member_account(elder)
    assert account.balance == H("3") and account.org == personas.tree.county_b


def test_it_audits_the_account_moving_with_its_member(personas: Personas, funded: Account) -> None:
    from yinling.audit.models import AuditRecord
    from yinling.registry.services import do_transfer

    elder = person(personas.tree.unit_a, age=85)
    account = services.do_join(by=personas.owner, retiree=elder)
    do_transfer(by=personas.owner, retiree=elder, to_org=personas.tree.county_b, reason="随子女迁居")
    records = AuditRecord.objects.filter(object_type="timebank.account", object_id=str(account.pk))
    [moved] = records.filter(extra__event="moved")
    assert moved.actor == personas.owner and moved.org_path == personas.tree.county_b.path
    assert moved.changes == {"org": [personas.tree.unit_a.code, personas.tree.county_b.code]}
    assert (moved.extra["from_org"], moved.extra["to_org"]) == (personas.tree.unit_a.code, personas.tree.county_b.code)


def test_it_writes_no_move_record_for_a_person_without_an_account(personas: Personas) -> None:
    from yinling.audit.models import AuditRecord
    from yinling.registry.services import do_transfer

    elder = person(personas.tree.unit_a, age=85)
    do_transfer(by=personas.owner, retiree=elder, to_org=personas.tree.county_b, reason="随子女迁居")
    assert not AuditRecord.objects.filter(object_type="timebank.account", extra__event="moved").exists()
    assert services.member_account(elder) is None

"""The time bank tells people: a need taken on, a service to confirm, hours paid (notifications.notify)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from yinling.accounts import roles
from yinling.notifications.models import Notification
from yinling.testing.personas import Personas, make_user
from yinling.timebank import services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import ServiceRequest
from yinling.timebank.tests.factories import person, relate, sign_in_account

pytestmark = pytest.mark.django_db
H = Decimal


def inbox(user: Any) -> list[tuple[str, str, str]]:
    rows = Notification.objects.unrestricted().filter(recipient=user).order_by("id")
    return list(rows.values_list("kind", "text", "link"))


@pytest.fixture
def cycle(personas: Personas) -> dict[str, Any]:
    services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    recipient = person(personas.tree.unit_a, age=86, living="alone", name="陈秀兰")
    provider = person(personas.tree.unit_a, age=63, name="王志强")
    daughter = person(personas.tree.unit_a, age=60, name="陈小红")
    relate(recipient, daughter)
    services.do_join(by=personas.owner, retiree=provider, as_provider=True)
    for r in (recipient, provider, daughter):
        sign_in_account(r)
    start = timezone.now() - dt.timedelta(hours=4)
    need = services.do_post_need(
        by=personas.owner,
        recipient=recipient,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )
    return {"recipient": recipient, "provider": provider, "daughter": daughter, "need": need, "by": personas.owner}


def test_it_tells_each_side_at_each_step(cycle: dict[str, Any]) -> None:
    need, by = cycle["need"], cycle["by"]
    recipient, provider, daughter = cycle["recipient"].account, cycle["provider"].account, cycle["daughter"].account
    assert inbox(recipient) == []
    need = services.do_accept(by=by, need=need, provider=cycle["provider"])
    assert [k for k, _t, _l in inbox(recipient)] == ["timebank.taken_on"]
    assert inbox(recipient)[0][2] == "/timebank/"
    need = services.do_report(by=by, need=need, hours=H("2.5"))
    assert [k for k, _t, _l in inbox(recipient)] == ["timebank.taken_on", "timebank.to_confirm"]
    assert inbox(recipient)[1][2] == "/timebank/"  # the home lists it with its "Confirm and rate" button
    assert "2.5" in inbox(recipient)[1][1]
    assert inbox(provider) == []
    services.do_confirm(by=by, need=need, rating=5, on_behalf=True)
    [(kind, text, link)] = inbox(provider)
    assert (kind, link) == ("timebank.paid", "/timebank/statement/")
    assert "2.5" in text
    # The daughter recorded in the registry gets copies of her mother's, on her own account.
    assert [k for k, _t, _l in inbox(daughter)] == ["timebank.taken_on", "timebank.to_confirm"]
    # The texts leave the platform by SMS: they name nobody.
    every = inbox(recipient) + inbox(provider)
    assert not any(name in text for _k, text, _l in every for name in ("陈秀兰", "王志强"))


def test_it_tells_the_poster_when_the_recipient_has_no_account(personas: Personas) -> None:
    services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    recipient = person(personas.tree.unit_a, age=86, living="alone")
    provider = person(personas.tree.unit_a, age=63)
    services.do_join(by=personas.owner, retiree=provider, as_provider=True)
    start = timezone.now() + dt.timedelta(days=1)
    need = services.do_post_need(
        by=personas.owner,
        recipient=recipient,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )
    colleague = make_user("colleague", personas.tree.city_a, roles.BUREAU_ADMIN)
    services.do_accept(by=colleague, need=need, provider=provider)  # a colleague takes it on for the helper
    assert inbox(personas.owner) == [
        ("timebank.taken_on", inbox(personas.owner)[0][1], f"/timebank/requests/{need.pk}/")
    ]
    assert inbox(colleague) == []
    # The helper has no account: nobody to tell, and nothing fails.
    assert Notification.objects.unrestricted().filter(kind="timebank.paid").count() == 0


def test_it_tells_nobody_when_the_step_is_refused(cycle: dict[str, Any]) -> None:
    need, by = cycle["need"], cycle["by"]
    need = services.do_accept(by=by, need=need, provider=cycle["provider"])
    before = Notification.objects.unrestricted().count()
    with pytest.raises(Refused):
        services.do_report(by=by, need=need, hours=H("99"))  # more than the window
    with pytest.raises(Refused):
        services.do_confirm(by=by, need=need, rating=5)  # not reported yet
    assert Notification.objects.unrestricted().count() == before
    assert ServiceRequest.objects.unrestricted().get(pk=need.pk).status == "accepted"


def test_it_tells_the_helper_when_staff_settle_a_dispute_with_hours(cycle: dict[str, Any]) -> None:
    need, by = cycle["need"], cycle["by"]
    need = services.do_accept(by=by, need=need, provider=cycle["provider"])
    need = services.do_report(by=by, need=need, hours=H("2"))
    need = services.do_dispute(by=by, need=need, reason="时间不对")
    services.do_resolve(by=by, need=need, hours=H("1"), note="按一小时结算")
    [(kind, text, _link)] = inbox(cycle["provider"].account)
    assert kind == "timebank.paid" and "1" in text


def test_every_link_opens_for_whoever_received_it(cycle: dict[str, Any]) -> None:
    from yinling.testing.permissions import login_client

    need, by = cycle["need"], cycle["by"]
    need = services.do_accept(by=by, need=need, provider=cycle["provider"])
    need = services.do_report(by=by, need=need, hours=H("2"))
    services.do_confirm(by=by, need=need, rating=5, on_behalf=True)
    for who in ("recipient", "provider", "daughter"):
        user = cycle[who].account
        client = login_client(user)
        rows = Notification.objects.unrestricted().filter(recipient=user)
        assert rows.exists(), who
        for row in rows:
            answer = client.get(f"/notifications/{row.pk}/", follow=True)
            assert answer.status_code == 200, (who, row.kind, row.link)
            assert answer.redirect_chain[0][0] == row.link


def kinds(user: Any) -> list[str]:
    return [k for k, _t, _l in inbox(user)]


def test_it_tells_a_relative_of_her_mothers_service_but_not_of_her_own_steps(
    personas: Personas, cycle: dict[str, Any]
) -> None:
    """The daughter recorded as the recipient's relative serves her mother herself: she is not told "a helper
    took on your need" of the need she took on, nor asked to confirm her own hours; her mother is told both.
    Her mother confirms: the mother gets no copy of the daughter's payment she just made."""
    recipient, daughter = cycle["recipient"], cycle["daughter"]
    services.do_join(by=personas.owner, retiree=daughter, as_provider=True)
    need = services.do_accept(by=daughter.account, need=cycle["need"], provider=daughter)
    need = services.do_report(by=daughter.account, need=need, hours=H("2"))
    assert kinds(recipient.account) == ["timebank.taken_on", "timebank.to_confirm"]
    assert kinds(daughter.account) == []
    services.do_confirm(by=recipient.account, need=need, rating=5)
    assert kinds(daughter.account) == ["timebank.paid"]  # her own payment, as the helper
    assert kinds(recipient.account) == ["timebank.taken_on", "timebank.to_confirm"]


def test_it_asks_no_helper_to_confirm_their_own_hours_when_staff_report_for_them(
    personas: Personas, cycle: dict[str, Any]
) -> None:
    """Staff take the steps for the daughter as helper (代办): she is still the helper, not the one to confirm."""
    daughter, by = cycle["daughter"], cycle["by"]
    services.do_join(by=by, retiree=daughter, as_provider=True)
    need = services.do_accept(by=by, need=cycle["need"], provider=daughter)
    services.do_report(by=by, need=need, hours=H("2"))
    assert kinds(daughter.account) == []
    assert kinds(cycle["recipient"].account) == ["timebank.taken_on", "timebank.to_confirm"]


def test_it_tells_the_relative_of_what_others_did_for_her_mother(cycle: dict[str, Any]) -> None:
    """The boundary: another helper's steps concern her mother, and the daughter gets their copies."""
    need = services.do_accept(by=cycle["provider"].account, need=cycle["need"], provider=cycle["provider"])
    need = services.do_report(by=cycle["provider"].account, need=need, hours=H("2"))
    services.do_confirm(by=cycle["recipient"].account, need=need, rating=5)
    assert kinds(cycle["daughter"].account) == ["timebank.taken_on", "timebank.to_confirm"]
    assert kinds(cycle["provider"].account) == ["timebank.paid"]
    copies = Notification.objects.unrestricted().filter(recipient=cycle["daughter"].account)
    assert all(n.on_behalf_of == cycle["recipient"].name for n in copies)


def test_it_tells_nobody_of_their_own_step_when_they_are_the_one_told(personas: Personas) -> None:
    """Staff post a need for someone without an account (they are then the one told) and take it on for the
    helper themselves: they are not told "a helper has taken on your need" of what they just did."""
    services.do_issue(by=personas.owner, org=personas.tree.city_a, hours=H("100"), reason="发放", document_no="1号")
    recipient = person(personas.tree.unit_a, age=86, living="alone")
    provider = person(personas.tree.unit_a, age=63)
    services.do_join(by=personas.owner, retiree=provider, as_provider=True)
    start = timezone.now() + dt.timedelta(days=1)
    need = services.do_post_need(
        by=personas.owner,
        recipient=recipient,
        category="company",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        expected_hours=H("2"),
    )
    services.do_accept(by=personas.owner, need=need, provider=provider)
    assert inbox(personas.owner) == []

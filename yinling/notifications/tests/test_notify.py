"""notify(): the inbox row, the 代办 copies, the channel per person and their choices, sending after commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from yinling.audit.models import AuditRecord
from yinling.notifications.models import Delivery, Notification, Preference
from yinling.notifications.services import do_set_preferences, notify
from yinling.notifications.tests.conftest import sent_lines
from yinling.testing.personas import Cast, make_retiree_account, make_retiree_record

pytestmark = pytest.mark.django_db


def deliveries(user: Any) -> list[tuple[str, str]]:
    return list(Delivery.objects.unrestricted().filter(recipient=user).values_list("channel", "status"))


def test_it_puts_a_retirees_notification_in_their_inbox_and_their_daibans(
    cast: Cast, sms_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(cast.retiree, "test.kind", "您的服务已确认。", "/timebank/")
    assert [r.recipient for r in rows] == [cast.retiree, cast.family]
    own, copy = rows
    assert (own.text, own.on_behalf_of) == ("您的服务已确认。", "")
    assert copy.on_behalf_of == cast.retiree_record.name
    assert cast.retiree_record.name in copy.text and "您的服务已确认。" in copy.text
    # Each by SMS to their own number from the registry.
    assert sorted(line["to"] for line in sent_lines(sms_file)) == ["13800138000", "13900139000"]
    assert all("/timebank/" in line["text"] for line in sent_lines(sms_file))
    assert deliveries(cast.retiree) == [("sms", "sent")]
    assert deliveries(cast.family) == [("sms", "sent")]


def test_it_sends_nobody_else_a_copy_of_staff_or_unrelated_retirees(
    cast: Cast, sms_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    stranger = make_retiree_record(cast.tree.unit_a, "李四", "13700137000", 7)
    make_retiree_account(stranger)
    with django_capture_on_commit_callbacks(execute=True):
        assert [r.recipient for r in notify(cast.clerk, "k", "x")] == [cast.clerk]
        assert [r.recipient for r in notify(stranger.account, "k", "x")] == [stranger.account]
    assert [line["to"] for line in sent_lines(sms_file)] == ["13700137000"]


def test_it_leaves_out_a_relative_whose_account_is_closed(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    cast.family.is_active = False
    cast.family.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert [r.recipient for r in notify(cast.retiree, "k", "x")] == [cast.retiree]


def test_it_emails_staff_and_never_texts_them(
    cast: Cast, sms_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    cast.clerk.email = "clerk@example.org"
    cast.clerk.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.clerk, "k", "有一项服务待处理。", "/timebank/requests/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["clerk@example.org"]
    assert "/timebank/requests/" in mail.outbox[0].body
    assert sent_lines(sms_file) == []
    assert deliveries(cast.clerk) == [("email", "sent")]


def test_it_skips_a_channel_without_an_address(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    cast.clerk.email = ""
    cast.clerk.save()
    type(cast.retiree_record).objects.unrestricted().filter(pk=cast.retiree_record.pk).update(phone="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.clerk, "k", "x")
        notify(cast.leader, "k", "x")
    assert deliveries(cast.clerk) == [("email", "skipped")]
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("persona", "sms", "email", "channel", "expected"),
    [
        ("retiree", False, True, "sms", "skipped"),
        ("retiree", True, False, "sms", "sent"),
        ("clerk", True, False, "email", "skipped"),
        ("clerk", False, True, "email", "sent"),
    ],
)
def test_it_follows_each_persons_channel_choice(
    cast: Cast,
    sms_file: Path,
    django_capture_on_commit_callbacks: Any,
    persona: str,
    sms: bool,
    email: bool,
    channel: str,
    expected: str,
) -> None:
    user = cast.user(persona)
    user.email = "someone@example.org"
    user.save()
    do_set_preferences(by=user, sms=sms, email=email)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "k", "x")
    assert deliveries(user) == [(channel, expected)]
    # The inbox is always on.
    assert Notification.objects.unrestricted().filter(recipient=user).count() == 1
    to_them = [line for line in sent_lines(sms_file) if line["to"] == "13800138000"]  # not the relative's copy
    assert len(to_them) + len(mail.outbox) == (1 if expected == "sent" else 0)


def test_it_audits_a_change_of_choices_and_not_a_repeat(cast: Cast) -> None:
    do_set_preferences(by=cast.retiree, sms=False, email=True)
    do_set_preferences(by=cast.retiree, sms=False, email=True)
    do_set_preferences(by=cast.retiree, sms=True, email=True)
    # seq is given when the records are sealed, after commit: none in a test, so the order is the rows'.
    records = AuditRecord.objects.unrestricted().filter(object_type="notifications.preference").order_by("seq", "pk")
    assert [(r.action, r.changes) for r in records] == [
        ("create", {"sms": [True, False], "email": [True, True]}),
        ("update", {"sms": [False, True]}),
    ]
    assert records[0].actor == cast.retiree
    assert Preference.objects.unrestricted().get(user=cast.retiree).sms is True


def test_it_sends_nothing_when_the_action_rolls_back(
    cast: Cast, sms_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(cast.retiree, "k", "x")
        raise RuntimeError("the action failed")
    assert Notification.objects.unrestricted().count() == 0
    assert sent_lines(sms_file) == []
    assert Delivery.objects.unrestricted().count() == 0


def test_it_sends_only_after_commit(cast: Cast, sms_file: Path, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(cast.retiree, "k", "x")
    assert sent_lines(sms_file) == []
    assert len(callbacks) == 2  # the retiree's and the relative's
    for callback in callbacks:
        callback()
    assert len(sent_lines(sms_file)) == 2


@pytest.mark.parametrize("text", ["", "   "])
def test_it_refuses_an_empty_text(cast: Cast, text: str) -> None:
    with pytest.raises(ValueError):
        notify(cast.retiree, "k", text)
    assert Notification.objects.unrestricted().count() == 0


def test_it_shortens_the_sms_and_keeps_the_link(
    cast: Cast, sms_file: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_SITE_URL = "https://yl.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.clerk, "k", "长" * 400, "/timebank/")
        notify(cast.retiree, "k", "长" * 400, "/timebank/")
    line = sent_lines(sms_file)[0]["text"]
    assert line == "长" * 69 + "… https://yl.example.gov.cn/timebank/"


def _with_relatives(cast: Cast, i: int, relatives: int) -> Any:
    """A retiree with an account and `relatives` relatives recorded in the registry, each with an account."""
    from yinling.registry.models import FamilyContact

    record = make_retiree_record(cast.tree.unit_a, f"王{i:02d}", f"1370000{i:02d}00", 100 + i * 10)
    for k in range(relatives):
        name, phone = f"王{i:02d}亲{k}", f"1360000{i:02d}{k:02d}"
        relative = make_retiree_record(cast.tree.county_a, name, phone, 100 + i * 10 + k + 1)
        FamilyContact.objects.create(retiree=record, relation="子女", name=relative.name, phone=relative.phone)
        make_retiree_account(relative)
    return make_retiree_account(record)


def _queries(recipients: list[Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yinling.notifications.services import notify_many

    with CaptureQueriesContext(connection) as captured:
        notify_many(recipients, "k", "您的服务已确认。", "/timebank/")
    return len(captured.captured_queries)


def test_it_notifies_many_retirees_and_their_relatives_in_a_fixed_number_of_queries(cast: Cast) -> None:
    few = [_with_relatives(cast, i, 1) for i in range(1)]
    many = [_with_relatives(cast, i, 1) for i in range(1, 6)]
    assert _queries(many) == _queries(few)
    inbox = Notification.objects.unrestricted().filter(kind="k")
    assert inbox.count() == 12  # six retirees and one copy each
    assert inbox.filter(on_behalf_of="王03").get().recipient.retiree.name == "王03亲0"


def test_it_copies_to_many_relatives_in_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = _with_relatives(cast, 1, 1)
    four = _with_relatives(cast, 2, 4)
    counts = []
    for recipient in (one, four):
        with CaptureQueriesContext(connection) as captured:
            notify(recipient, "k", "您的服务已确认。", "/timebank/")
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    copies = Notification.objects.unrestricted().filter(kind="k", on_behalf_of="王02")
    assert sorted(n.recipient.retiree.name for n in copies) == ["王02亲0", "王02亲1", "王02亲2", "王02亲3"]


def test_it_leaves_out_whoever_is_excluded_as_recipient_or_as_relative(cast: Cast) -> None:
    assert [r.recipient for r in notify(cast.retiree, "k", "x", exclude=[None])] == [cast.retiree, cast.family]
    assert [r.recipient for r in notify(cast.retiree, "k", "x", exclude=[cast.family])] == [cast.retiree]
    assert notify(cast.retiree, "k", "x", exclude=[cast.retiree]) == []  # neither they nor a copy for them
    assert Notification.objects.unrestricted().filter(recipient=cast.family).count() == 1


def test_it_copies_both_ways_of_the_recorded_relation_for_many_at_once(cast: Cast) -> None:
    """The retiree lists the family member among their contacts: each gets copies of the other's, also when
    both are notified at once (the one who lists, and the one who is listed)."""
    from yinling.notifications.services import notify_many

    rows = notify_many([cast.retiree, cast.family], "k", "x")
    assert sorted((r.recipient.username, r.on_behalf_of) for r in rows) == sorted(
        [
            (cast.retiree.username, ""),
            (cast.family.username, cast.retiree_record.name),
            (cast.family.username, ""),
            (cast.retiree.username, cast.family_record.name),
        ]
    )

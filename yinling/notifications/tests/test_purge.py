"""`manage.py purge_notifications`: read notifications and delivery logs past NOTIFY_RETENTION_DAYS go."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from yinling.notifications.models import Delivery, Notification
from yinling.notifications.services import notify
from yinling.testing.personas import Cast

pytestmark = pytest.mark.django_db


def test_it_deletes_old_read_notifications_and_old_logs_only(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_RETENTION_DAYS = 180
    with time_machine.travel("2027-01-01 09:00 +08:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            old_read, copy = notify(cast.retiree, "k", "旧的已读")
            old_unread = notify(cast.clerk, "k", "旧的未读")[0]
        Notification.objects.unrestricted().filter(pk=old_read.pk).update(read_at=timezone.now())
    with time_machine.travel("2027-06-29 09:00 +08:00", tick=False):  # 179 days later
        with django_capture_on_commit_callbacks(execute=True):
            recent = notify(cast.leader, "k", "新的")[0]
        Notification.objects.unrestricted().filter(pk=recent.pk).update(read_at=timezone.now())
    assert Delivery.objects.unrestricted().count() == 4
    with time_machine.travel("2027-07-01 09:00 +08:00", tick=False):  # 181 days after the first
        out = StringIO()
        call_command("purge_notifications", stdout=out)
    left = set(Notification.objects.unrestricted().values_list("text", flat=True))
    assert left == {"旧的未读", copy.text, "新的"}  # the relative's copy is unread: it stays
    assert not Notification.objects.unrestricted().filter(pk=old_read.pk).exists()
    assert Notification.objects.unrestricted().filter(pk=old_unread.pk).exists()
    assert list(Delivery.objects.unrestricted().values_list("recipient", flat=True)) == [cast.leader.pk]
    assert "Deleted 1 read notifications and 3 delivery log entries older than 180 days." in out.getvalue()


def test_it_takes_a_shorter_window_on_the_command_line(cast: Cast) -> None:
    with time_machine.travel("2027-01-01 09:00 +08:00", tick=False):
        mine = notify(cast.clerk, "k", "x")[0]
        Notification.objects.unrestricted().filter(pk=mine.pk).update(read_at=timezone.now())
    with time_machine.travel("2027-01-12 09:00 +08:00", tick=False):
        call_command("purge_notifications", "--days", "30", stdout=StringIO())
        assert Notification.objects.unrestricted().filter(pk=mine.pk).exists()
        call_command("purge_notifications", "--days", "10", stdout=StringIO())
        assert not Notification.objects.unrestricted().filter(pk=mine.pk).exists()


def test_it_refuses_a_window_under_one_day() -> None:
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("purge_notifications", "--days", "0", stderr=err)
    assert "at least 1" in err.getvalue()

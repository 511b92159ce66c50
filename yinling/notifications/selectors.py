"""Read-only: a person's inbox and unread count, their channel choices, the rate limit's count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yinling.notifications.models import Delivery, Notification, Preference


def inbox(user: Any) -> QuerySet[Notification]:
    """The person's own notifications, newest first: nobody reads another's inbox, whatever their roles."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.unrestricted().filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def preference_of(user: Any) -> Preference:
    """The person's choices (unsaved defaults, every channel on, when they never chose)."""
    found = Preference.objects.unrestricted().filter(user=user).first()
    return found or Preference(user=user)


def channel_of(user: Any) -> str:
    """The channel besides the inbox: SMS for retirees, e-mail for staff."""
    return Delivery.Channel.SMS if getattr(user, "kind", "") == "retiree" else Delivery.Channel.EMAIL


def sent_within(user_id: int, channel: str, since: dt.timedelta) -> int:
    """Messages sent to the person on the channel in the last `since` (the rate limit counts these)."""
    return (
        Delivery.objects.unrestricted()
        .filter(
            recipient_id=user_id, channel=channel, status=Delivery.Status.SENT, created_at__gte=timezone.now() - since
        )
        .count()
    )

"""Sending, in the "notify" queue's jobs: one job per notification and channel, retried with backoff.

Each attempt leaves one Delivery row: sent, failed (with the sender's error; retried up to
NOTIFY_MAX_ATTEMPTS, each wait twice the last, from NOTIFY_RETRY_SECONDS), rate_limited (more than
NOTIFY_SMS_PER_HOUR / NOTIFY_EMAIL_PER_HOUR were sent to the person on that channel in the last hour: the message
stays in the inbox only) or skipped (no number or address).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from yinling.notifications.models import Delivery, Notification
from yinling.notifications.registry_hooks import phone_of
from yinling.notifications.selectors import sent_within
from yinling.notifications.senders import SendError, sms_sender

logger = logging.getLogger(__name__)
HOUR = dt.timedelta(hours=1)


def outgoing_text(notification: Notification, limit: int) -> str:
    """What SMS and e-mail carry: the inbox text, cut to `limit` characters, and the full link to the item.
    The text is the caller's, who words it for a message that leaves the platform (no personal data beyond
    what the recipient may see)."""
    text = notification.text if len(notification.text) <= limit else notification.text[: limit - 1] + "…"
    if notification.link:
        text = f"{text} {settings.NOTIFY_SITE_URL.rstrip('/')}{notification.link}"
    return text


def _log(notification: Notification, channel: str, status: str, attempt: int, error: str = "") -> None:
    Delivery.objects.create(
        notification=notification,
        recipient_id=notification.recipient_id,
        channel=channel,
        status=status,
        attempt=attempt,
        error=error[:300],
    )


def _limit(channel: str) -> int:
    return int(settings.NOTIFY_SMS_PER_HOUR if channel == Delivery.Channel.SMS else settings.NOTIFY_EMAIL_PER_HOUR)


def _send(notification: Notification, channel: str) -> str:
    """Send on the channel; the reason it was skipped ("" when it went out). Raises SendError."""
    if channel == Delivery.Channel.SMS:
        phone = phone_of(notification.recipient)
        if not phone:
            return "no phone number"
        sms_sender().send(phone, outgoing_text(notification, settings.NOTIFY_SMS_MAX_CHARS))
        return ""
    address = notification.recipient.email
    if not address:
        return "no e-mail address"
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Yinling: you have a new notification")
    try:
        send_mail(subject, outgoing_text(notification, 500), None, [address])
    except Exception as exc:  # SMTP errors, refused connections: a failure to retry, not a crash
        raise SendError(f"mail backend: {type(exc).__name__}") from None
    return ""


def deliver(notification_id: int, channel: str, attempt: int = 1) -> str:
    """One attempt; the status it logged ("gone" when the notification was purged meanwhile)."""
    notification = Notification.objects.unrestricted().select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    if sent_within(notification.recipient_id, channel, HOUR) >= _limit(channel):
        _log(notification, channel, Delivery.Status.RATE_LIMITED, attempt, "rate limited")
        return Delivery.Status.RATE_LIMITED
    try:
        skipped = _send(notification, channel)
    except SendError as exc:
        _log(notification, channel, Delivery.Status.FAILED, attempt, str(exc))
        if attempt < settings.NOTIFY_MAX_ATTEMPTS:
            retry(notification_id, channel, attempt + 1)
        else:
            logger.warning("notification %s: %s failed %s times, giving up", notification_id, channel, attempt)
        return Delivery.Status.FAILED
    if skipped:
        _log(notification, channel, Delivery.Status.SKIPPED, attempt, skipped)
        return Delivery.Status.SKIPPED
    _log(notification, channel, Delivery.Status.SENT, attempt)
    return Delivery.Status.SENT


def retry(notification_id: int, channel: str, attempt: int) -> None:
    """Enqueue attempt `attempt`, after the backoff where the backend can wait (the database queue can; the
    immediate backend of tests runs it at once)."""
    job = send_notification
    if job.get_backend().supports_defer:
        wait = settings.NOTIFY_RETRY_SECONDS * 2 ** (attempt - 2)
        job = job.using(run_after=timezone.now() + dt.timedelta(seconds=wait))
    job.enqueue(notification_id, channel, attempt)


@task(queue_name="notify")
def send_notification(notification_id: int, channel: str, attempt: int = 1) -> str:
    return deliver(notification_id, channel, attempt)

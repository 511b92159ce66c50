"""The in-app inbox, each person's channel choices, and the log of every send attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedQuerySet


class Notification(models.Model):
    """One message in one person's inbox. A relative who receives for a retiree (代办) gets a row of their own,
    with `on_behalf_of` naming the retiree."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("notified person"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    # Scoped like the recipient's account, so a staff page over notifications would have to restrict();
    # the inbox itself reads the caller's own rows on its own authority (selectors.inbox).
    objects = ScopedQuerySet.as_manager()
    scope_path_field = "recipient__org__path"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """A person's channel choices. The inbox is always on; no row means every channel on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    sms = models.BooleanField(_("text messages (SMS)"), default=True)
    email = models.BooleanField(_("e-mail"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "user__org__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}"


class Delivery(models.Model):
    """One attempt to send a notification on one channel (or the decision not to), as the log shows it."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        SKIPPED = "skipped", _("Skipped")

    # Kept when the notification is purged: the log has its own retention.
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("notified person")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "recipient__org__path"

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "channel", "status", "created_at"], name="delivery_rate")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} #{self.attempt}"

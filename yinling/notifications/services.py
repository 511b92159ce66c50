"""Notifications: `notify()` for every module, and the inbox's actions.

`notify(recipient, kind, text, link)` puts the message in the recipient's inbox, and a copy in the inbox of
each relative the registry records for a retiree (代办: the copy says on whose behalf). After the caller's
transaction commits, each copy is sent on the person's other channel (SMS for retirees, e-mail for staff)
by a job in the "notify" queue (tasks.py), unless they turned that channel off. A rolled-back action sends
nothing and leaves no inbox row.

Callers word `text` for a message that leaves the platform: short, in the bureau's language, nothing about
anyone that the recipient may not see; the link leads to the details, which the site shows by its own rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.notifications.links import clean_link
from yinling.notifications.models import Delivery, Notification, Preference
from yinling.notifications.registry_hooks import also_notify_many
from yinling.notifications.selectors import channel_of, inbox, preference_of
from yinling.notifications.tasks import send_notification

MAX_TEXT = 500


def notify(recipient: Any, kind: str, text: str, link: str = "", *, exclude: Iterable[Any] = ()) -> list[Notification]:
    """Notify `recipient` (a User, staff or retiree); the inbox rows made (theirs first, then their 代办's).

    `exclude`: people who get neither the notice nor a copy, whatever they are to the recipient. Pass the
    person whose action the notice tells of (nobody is told of what they just did themself, e.g. a relative
    who took on their mother's need), and whoever the notice is not for in the matter (the helper, of the
    service they are to be confirmed for). None in it is ignored.

    ValueError when the link is not a local path or the text is empty: a caller's mistake, not the user's."""
    return notify_many([recipient], kind, text, link, exclude=exclude)


def notify_many(
    recipients: Sequence[Any], kind: str, text: str, link: str = "", *, exclude: Iterable[Any] = ()
) -> list[Notification]:
    """notify() for several people at once, in a bounded number of queries however many they are and however
    many relatives they have: one lookup of everyone's 代办, one insert, one read of the channel choices."""
    link = clean_link(link)
    text = str(text).strip()
    if not text or not kind:
        raise ValueError("a notification needs a kind and a text")
    left_out = {getattr(u, "pk", None) for u in exclude} - {None}
    recipients = list({r.pk: r for r in recipients if r.pk not in left_out}.values())  # each person once
    copies_for = also_notify_many(recipients)
    rows: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):  # inbox text is data: the bureau's language
        for recipient in recipients:
            rows.append(Notification(recipient=recipient, kind=kind[:40], text=text[:MAX_TEXT], link=link))
            name, relatives = copies_for.get(recipient.pk, ("", []))
            for relative in relatives:
                if relative.pk != recipient.pk and relative.pk not in left_out and relative.is_active:
                    copy = _("For %(name)s: %(text)s") % {"name": name, "text": text}
                    rows.append(
                        Notification(
                            recipient=relative, kind=kind[:40], text=copy[:MAX_TEXT], link=link, on_behalf_of=name
                        )
                    )
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
        _dispatch(rows)
    return rows


def _dispatch(rows: list[Notification]) -> None:
    """Enqueue sending after commit; a channel the person turned off is logged as skipped at once."""
    users = {row.recipient_id for row in rows}
    prefs = {p.user_id: p for p in Preference.objects.unrestricted().filter(user_id__in=users)}
    skipped = []
    for row in rows:
        channel = channel_of(row.recipient)
        pref = prefs.get(row.recipient_id)
        if pref is not None and not getattr(pref, channel):
            skipped.append(
                Delivery(
                    notification=row,
                    recipient_id=row.recipient_id,
                    channel=channel,
                    status=Delivery.Status.SKIPPED,
                    error="turned off by the recipient",
                )
            )
            continue
        # robust: the action has committed by then; a queue that fails to take the job must not turn the person's
        # answer into an error (the notification is in the inbox all the same, and the failure is logged).
        transaction.on_commit(partial(send_notification.enqueue, row.pk, channel), robust=True)
    Delivery.objects.bulk_create(skipped)


# --- the inbox ----------------------------------------------------------------------------------------------------


def do_mark_read(*, by: Any, pk: int) -> Notification:
    """Mark one of one's own notifications read; 404 for anyone else's (or none), so ids cannot be probed."""
    found = inbox(by).filter(pk=pk).first()
    if found is None:
        raise Http404
    if found.read_at is None:
        found.read_at = timezone.now()
        Notification.objects.unrestricted().filter(pk=found.pk, read_at__isnull=True).update(read_at=found.read_at)
    return found


def do_mark_all_read(*, by: Any) -> int:
    """Mark all of one's own notifications read; how many were unread."""
    return inbox(by).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def do_set_preferences(*, by: Any, sms: bool, email: bool) -> Preference:
    """One's own channel choices (the inbox is always on); a change is audited."""
    if not getattr(by, "is_authenticated", False):
        raise Http404
    pref = preference_of(by)
    created = pref.pk is None
    before = {"sms": pref.sms, "email": pref.email}
    after = {"sms": bool(sms), "email": bool(email)}
    if not created and before == after:
        return pref
    pref.sms, pref.email = after["sms"], after["email"]
    pref.save()
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k] or created}
    record(
        AuditRecord.Action.CREATE if created else AuditRecord.Action.UPDATE,
        pref,
        changes=changes,
        actor=by,
        object_repr=str(by),
    )
    return pref


def purge(*, days: int | None = None) -> tuple[int, int]:
    """Delete read notifications and delivery logs older than `days` (NOTIFY_RETENTION_DAYS); (notifications,
    deliveries) deleted. Unread notifications stay, however old: nobody has seen them yet."""
    days = settings.NOTIFY_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - dt.timedelta(days=days)
    deliveries, _by_model = Delivery.objects.unrestricted().filter(created_at__lt=cutoff).delete()
    notifications, _by_model = (
        Notification.objects.unrestricted().filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    )
    return notifications, deliveries

"""What the time bank tells people (notifications.notify), called inside the service steps, so a step that
rolls back sends nothing.

The texts leave the platform by SMS and e-mail: they name the category, the time and the hours, never the
other person, whose details the linked page shows by its own rules. Written in the bureau's language, as
the ledger's reasons are: they are data, read later and elsewhere.

Who hears: the side a notice is for, and the relatives recorded for them (代办 copies), never
- the person who took the step (`by`): nobody is told of what they just did themself, as when a daughter
  takes on her mother's need, or confirms a service as the recipient;
- the helper, of notices for the helped side (a need taken on, a service to confirm): a relative who helped
  is the helper in this service, and is not asked to confirm their own hours.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yinling.notifications.services import notify
from yinling.timebank.models import Account, ServiceRequest


def _account_user(account: Account | None) -> Any:
    retiree = account.retiree if account is not None else None
    user = retiree.account if retiree is not None and retiree.account_id else None
    return user if user is not None and user.is_active else None


def _recipient_side(need: ServiceRequest) -> Any:
    """Who hears about the recipient's need: their own account (their recorded relatives get copies), or the
    staff member or relative who posted it when the recipient has no account."""
    user = _account_user(need.recipient)
    if user is None and need.posted_by_id and need.posted_by is not None and need.posted_by.is_active:
        user = need.posted_by
    return user


def _link_for(user: Any, need: ServiceRequest, member_link: str) -> str:
    return member_link if getattr(user, "kind", "") == "retiree" else reverse("timebank:request", args=[need.pk])


def _when(need: ServiceRequest) -> str:
    return timezone.localtime(need.starts_at).strftime("%m-%d %H:%M")


def _helper(need: ServiceRequest) -> Any:
    return _account_user(need.provider)


def need_taken_on(need: ServiceRequest, *, by: Any = None) -> None:
    user = _recipient_side(need)
    if user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("A helper has taken on your %(category)s need (%(when)s).") % {
            "category": need.get_category_display(),
            "when": _when(need),
        }
    link = _link_for(user, need, reverse("timebank:home"))
    notify(user, "timebank.taken_on", text, link, exclude=(by, _helper(need)))


def service_to_confirm(need: ServiceRequest, *, by: Any = None) -> None:
    user = _recipient_side(need)
    if user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your %(category)s service (%(when)s) is done: please confirm %(hours)s hours.") % {
            "category": need.get_category_display(),
            "when": _when(need),
            "hours": need.actual_hours,
        }
    # The member's home lists what awaits confirmation: the confirm page itself would be 404 for the relatives
    # who get a copy (代办), since only the recipient or staff confirm.
    link = _link_for(user, need, reverse("timebank:home"))
    notify(user, "timebank.to_confirm", text, link, exclude=(by, _helper(need)))


def hours_paid(need: ServiceRequest, *, by: Any = None) -> None:
    user = _helper(need)
    if user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(hours)s hours for your %(category)s service (%(when)s) arrived in your time bank account.") % {
            "hours": need.actual_hours,
            "category": need.get_category_display(),
            "when": _when(need),
        }
    notify(user, "timebank.paid", text, reverse("timebank:statement"), exclude=(by,))

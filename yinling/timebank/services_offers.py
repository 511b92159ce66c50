"""Offers for the pages: what is open near a member, publishing with the times a helper is free, booking.

The writes are services.do_publish_offer, do_withdraw_offer and do_book (one transaction each,
audited); this module adds what the pages need around them. An offer has no field of its own
for when the helper is available, so that goes into the description as a last line starting
with AVAILABLE (split_description() reads it back); the API shows the same text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from yinling.registry.models import Retiree
from yinling.timebank import services
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Offer, ServiceRequest

# A marker inside the stored description (data, read back by split_description()): not translated.
AVAILABLE = "可服务时间："
DESCRIPTION_MAX = 300


def compose_description(skill: str, available: str = "") -> str:
    skill, available = skill.strip(), " ".join(available.split())
    text = f"{skill}\n{AVAILABLE}{available}" if available else skill
    if len(text) > DESCRIPTION_MAX:
        raise Refused(
            "too_long",
            _("The help offered and the available times together cannot exceed %(max)s characters.")
            % {"max": DESCRIPTION_MAX},
        )
    return text


def split_description(text: str) -> tuple[str, str]:
    """(what the helper offers, when they are available) from an offer's description."""
    head, sep, tail = text.rpartition("\n" + AVAILABLE)
    if not sep:
        return text, ""
    return head, tail.strip()


@transaction.atomic
def publish(
    *, by: Any, provider: Retiree, category: str, skill: str, available: str = "", community: str = ""
) -> Offer:
    """A helper publishes a skill (or staff acting for them): the checks are do_publish_offer's."""
    return services.do_publish_offer(
        by=by,
        provider=provider,
        category=category,
        description=compose_description(skill, available),
        community=community.strip(),
    )


def offers_near(retiree: Retiree, account: Account | None = None) -> QuerySet[Offer]:
    """Active offers in the member's county by helpers still registered: same community first,
    then the same org, then the rest; newest first within each."""
    qs = Offer.objects.unrestricted().filter(
        is_active=True,
        provider__is_provider=True,
        org__path__startswith=services.area_path(retiree.org),
    )
    if account is not None:
        qs = qs.exclude(provider=account)
    closeness = Case(
        When(community=retiree.community, then=Value(0)) if retiree.community else When(pk__in=[], then=Value(0)),
        When(org=retiree.org, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        qs.annotate(closeness=closeness)
        .select_related("provider__retiree", "org")
        .defer(*(f"provider__retiree__{f}" for f in Retiree.audit_sensitive))
        .order_by("closeness", "-created_at", "-id")
    )


def offers_of(account: Account) -> QuerySet[Offer]:
    """A helper's own offers, those still open first."""
    return (
        Offer.objects.unrestricted()
        .filter(provider=account)
        .select_related("org")
        .order_by("-is_active", "-created_at", "-id")
    )


def bookings_of(offer: Offer) -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.unrestricted()
        .filter(offer=offer)
        .select_related("recipient__retiree", "org")
        .defer(*(f"recipient__retiree__{f}" for f in Retiree.audit_sensitive))
        .order_by("-starts_at", "-id")
    )


def who_may_book_for(booker: Retiree) -> list[Retiree]:
    """The booker and the relatives recorded in the registry they may book for (family on their behalf)."""
    return [booker, *services.relatives_of(booker)]


@transaction.atomic
def book(
    *,
    by: Any,
    offer: Offer,
    booker: Retiree | None,
    recipient: Retiree,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    expected_hours: Decimal,
    description: str = "",
) -> ServiceRequest:
    """Book an offer for the recipient: the booker themself or a recorded relative (None: staff at
    the desk, who were checked by the view). The need is posted and accepted by the helper at once."""
    if booker is not None and booker.pk != recipient.pk and not services.are_relatives(booker, recipient):
        raise Refused("not_relative", _("You can only book for relatives recorded in the registry."))
    skill, _available = split_description(offer.description)
    return services.do_book(
        by=by,
        offer=offer,
        recipient=recipient,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_hours=expected_hours,
        description=description.strip() or skill,
    )

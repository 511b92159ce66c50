"""Offers for the pages: what is open near a member, publishing with the times a helper is free, booking.

The writes are do_publish_offer, do_withdraw_offer and do_book (one transaction each, audited),
and publish() and book() around them for the pages. An offer has no field of its own
for when the helper is available, so that goes into the description as a last line starting
with AVAILABLE (split_description() reads it back); the API shows the same text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Offer, ServiceRequest
from yinling.timebank.services.needs import do_accept, do_post_need
from yinling.timebank.services.selectors import member_account, provider_problem

# A marker inside the stored description (data, read back by split_description()): not translated.
AVAILABLE = "可服务时间："
DESCRIPTION_MAX = 300
BOOK_FOR_RELATIVES = gettext_lazy("You can only book for relatives recorded in the registry.")


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
def do_publish_offer(*, by: Any, provider: Retiree, category: str, description: str, community: str = "") -> Offer:
    account = member_account(provider)
    if account is None or not account.is_provider:
        raise Refused("not_provider", _("Register as a helper first."))
    problem = provider_problem(provider)
    if problem:
        raise Refused("not_eligible", problem)
    if not description.strip():
        raise Refused("description_required", _("Say what help you can offer."))
    offer = Offer.objects.create(
        provider=account,
        org=provider.org,
        category=category,
        description=description[:300],
        community=community or provider.community,
    )
    record(AuditRecord.Action.CREATE, offer, object_type="timebank.offer", org_path=provider.org.path)
    return offer


@transaction.atomic
def do_withdraw_offer(*, by: Any, offer: Offer) -> Offer:
    locked = Offer.objects.unrestricted().select_for_update().get(pk=offer.pk)
    if not locked.is_active:
        raise Refused("invalid_state", _("This offer has been withdrawn."))
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    record(
        AuditRecord.Action.UPDATE,
        locked,
        object_type="timebank.offer",
        org_path=locked.org.path,
        changes={"is_active": [True, False]},
    )
    return locked


@transaction.atomic
def do_book(
    *,
    by: Any,
    offer: Offer,
    recipient: Retiree,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    expected_hours: Decimal,
    description: str = "",
) -> ServiceRequest:
    """Book a provider's offer: a need posted for the recipient and accepted by that provider at once."""
    locked = (
        Offer.objects.unrestricted()
        .select_for_update(of=("self",))
        .select_related("provider__retiree")
        .get(pk=offer.pk)
    )
    if not locked.is_active:
        raise Refused("invalid_state", _("This offer has been withdrawn."))
    provider = locked.provider.retiree
    if provider is None:
        raise Refused("not_provider", _("The helper is no longer on the register."))
    if provider.pk == recipient.pk:
        raise Refused("self_service", _("You cannot book your own service."))
    need = do_post_need(
        by=by,
        recipient=recipient,
        category=locked.category,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_hours=expected_hours,
        description=description or locked.description,
    )
    ServiceRequest.objects.filter(pk=need.pk).update(offer=locked)
    return do_accept(by=by, need=need, provider=provider)


@transaction.atomic
def publish(
    *, by: Any, provider: Retiree, category: str, skill: str, available: str = "", community: str = ""
) -> Offer:
    """A helper publishes a skill (or staff acting for them): the checks are do_publish_offer's."""
    return do_publish_offer(
        by=by,
        provider=provider,
        category=category,
        description=compose_description(skill, available),
        community=community.strip(),
    )


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
    if booker is not None:
        acting.require_family(booker, recipient, str(BOOK_FOR_RELATIVES))
    skill, _available = split_description(offer.description)
    return do_book(
        by=by,
        offer=offer,
        recipient=recipient,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_hours=expected_hours,
        description=description.strip() or skill,
    )

"""The time bank on a retiree's home (core/tiles.py): its tile, and a card for each service that waits
for the member's confirmation (the helper reported it done)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinling.core.tiles import Card, Tile, once_per_request, register_cards, register_tile
from yinling.registry.models import Retiree
from yinling.timebank import services
from yinling.timebank.models import ServiceRequest


def _own_account(user: Any) -> Any:
    # One's own record and account, found by the account: not a staff scope.
    me = Retiree.objects.unrestricted().filter(account=user, is_deleted=False).first()
    return services.member_account(me) if me is not None else None


def _to_confirm(user: Any) -> list[ServiceRequest]:
    return once_per_request(user, "timebank.to_confirm", lambda: _find_to_confirm(user))  # tile and cards


def _find_to_confirm(user: Any) -> list[ServiceRequest]:
    account = _own_account(user)
    if account is None:
        return []
    return [n for n in services.pending_for(account) if n.recipient_id == account.pk and n.status == "reported"]


def cards(user: Any) -> list[Card]:
    found = []
    for need in _to_confirm(user):
        helper = need.provider.retiree.name if need.provider and need.provider.retiree else ""
        found.append(
            Card(
                title=gettext("A service to confirm"),
                text=gettext("%(helper)s reported %(what)s on %(day)s as done. Was it?")
                % {
                    "helper": helper,
                    "what": need.get_category_display(),
                    "day": formats.date_format(need.starts_at, "MONTH_DAY_FORMAT"),
                },
                url=reverse("timebank:confirm", args=[need.pk]),
                action=gettext("Confirm and rate"),
            )
        )
    return found


def register() -> None:
    register_tile(
        Tile(
            "timebank",
            _("Time bank"),
            "clock-history",
            url_name="timebank:home",
            order=10,
            count=lambda user: len(_to_confirm(user)),
        )
    )
    register_cards(cards, order=10)

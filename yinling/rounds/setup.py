"""Registrations: roles' grants, navigation, the retiree's home card, the job kind, the demo seeder."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def grants() -> None:
    from yinling.accounts import roles

    crud = roles.crud
    # Clerks record answers and read the report; opening and closing a round is the bureau admin's call.
    record = crud("rounds.round", "view", "export") | crud("rounds.roundentry", "view", "change")
    roles.grant([roles.CLERK], record)
    roles.grant([roles.BUREAU_ADMIN], record | crud("rounds.round", "add", "change"))
    roles.grant([roles.LEADER], crud("rounds.round", "view") | crud("rounds.roundentry", "view"))


def _is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def navigation() -> None:
    from yinling.core.navigation import NavItem, register_nav

    register_nav(
        NavItem(
            gettext_lazy("平安报 rounds"),
            "rounds:list",
            perm="rounds.view_round",
            order=70,
            group="care",
            icon="shield-check",
        )
    )
    register_nav(
        NavItem(gettext_lazy("平安报"), "rounds:me", order=70, group="care", icon="shield-check", check=_is_retiree)
    )


def cards(user: Any) -> list[Any]:
    """On a retiree's home, first: each open round's question for them or a relative."""
    from yinling.core.tiles import Card, once_per_request
    from yinling.rounds.services import selectors

    entries = once_per_request(user, "rounds.questions", lambda: selectors.member_questions(user))
    found = []
    for entry in entries:
        if entry.status != "not_reached":
            continue
        found.append(
            Card(
                title=_("平安报: %(title)s") % {"title": entry.round.title},
                text=_("Is %(name)s safe? Please answer.") % {"name": entry.retiree.name},
                url=reverse("rounds:answer", args=[entry.pk]),
                action=_("Answer"),
            )
        )
    return found


def register() -> None:
    from yinling.core.demo import Seeder, register_seeder
    from yinling.core.tiles import register_cards
    from yinling.rounds import notices
    from yinling.rounds.demo import seed_rounds

    grants()
    navigation()
    register_cards(cards, order=5)
    notices.register()
    register_seeder(Seeder("rounds", seed_rounds, order=90))

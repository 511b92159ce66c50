"""志愿服务 on a retiree's home (core/tiles.py): the tile, counting the join requests a team leader has to answer.

Cards about activities (a sign-up promoted from the waitlist, a check-in to close) belong to the activities
half; this tile is the way into the volunteer's own pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yinling.core.tiles import Tile, once_per_request, register_tile


def _is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def _requests_waiting(user: Any) -> int:
    def count() -> int:
        from yinling.registry.acting import retiree_of
        from yinling.volunteering.services import selectors
        from yinling.volunteering.services.volunteers import active_volunteer_of

        volunteer = active_volunteer_of(retiree_of(user))
        if volunteer is None:
            return 0
        return sum(selectors.pending_requests(team).count() for team in selectors.led_teams(volunteer))

    return int(once_per_request(user, "volunteering.requests", count))


def register() -> None:
    register_tile(
        Tile(
            "volunteering",
            _("My volunteering"),  # the activities half's tile, "Volunteer service", leads to activities
            "hand-thumbs-up",
            url_name="volunteering:me",
            order=20,
            applies=_is_retiree,
            count=_requests_waiting,
        )
    )

"""Registrations of the activities half: roles' grants, navigation, the home tile and cards, the periodic job."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from yinling.accounts import roles
    from yinling.core.navigation import NavItem, register_nav
    from yinling.jobs.periodic import PERIODIC_COMMANDS
    from yinling.volunteering import home_tiles_activities

    staff = (
        roles.crud("volunteering.activity", "view", "add", "change", "export")
        | roles.crud("volunteering.signup", "view", "add", "change")
        | roles.crud("volunteering.attendance", "view", "add", "change")
        | roles.crud("volunteering.flag", "view", "change")
        | roles.crud("volunteering.honourhours", "view")
    )
    roles.grant([roles.CLERK], staff)
    # The bureau admin adds honour hours and bars over-reporting volunteers (1–3 years).
    roles.grant(
        [roles.BUREAU_ADMIN],
        staff | roles.crud("volunteering.honourhours", "add") | roles.crud("volunteering.volunteer", "bar"),
    )
    roles.grant(
        [roles.LEADER],
        roles.crud("volunteering.activity", "view")
        | roles.crud("volunteering.signup", "view")
        | roles.crud("volunteering.attendance", "view")
        | roles.crud("volunteering.flag", "view")
        | roles.crud("volunteering.honourhours", "view"),
    )
    register_nav(
        NavItem(
            _("Volunteer activities"),
            "volunteering:activity_staff_list",
            order=52,
            check=_organises,
            group="volunteering",
            icon="calendar-event",
        )
    )
    register_nav(
        NavItem(
            _("Check-in flags"),
            "volunteering:activity_flags",
            order=53,
            check=_resolves_flags,
            group="volunteering",
            icon="flag",
        )
    )
    # Forgotten check-outs are closed at the activity's end (cron: every few minutes).
    PERIODIC_COMMANDS.setdefault("close_volunteer_checkins", _("Close forgotten volunteer check-outs"))
    # The board's hours by month read a summary this rebuilds (cron: every 10 minutes).
    PERIODIC_COMMANDS.setdefault("refresh_volunteer_hours", _("Rebuild the volunteer hours by month"))
    home_tiles_activities.register()


def _organises(user: Any) -> bool:
    from yinling.core.scoping import has_anywhere
    from yinling.volunteering import policy
    from yinling.volunteering.models import Activity

    return has_anywhere(user, Activity, "view") or bool(policy.led_team_ids(user))


def _resolves_flags(user: Any) -> bool:
    from yinling.core.scoping import has_anywhere
    from yinling.volunteering import policy
    from yinling.volunteering.models import Flag

    return has_anywhere(user, Flag, "change") or bool(policy.led_team_ids(user))

"""Registrations of the catalogue and enrolment half: roles' grants, navigation, periodic jobs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from yinling.accounts import roles
    from yinling.jobs.periodic import PERIODIC_COMMANDS

    catalogue = (
        roles.crud("campus.school", "view", "add", "change", "export")
        | roles.crud("campus.site", "view", "add", "change", "export")
        | roles.crud("campus.term", "view", "add", "change")
        | roles.crud("campus.course", "view", "add", "change", "export")
        | roles.crud("campus.section", "view", "add", "change", "export", "draw")
        | roles.crud("campus.enrolment", "view", "add", "change", "export")
        | roles.crud("campus.safetypledge", "view", "add", "change")
        | roles.crud("campus.lotterydraw", "view")
    )
    # Registrars are the bureau's clerks and admins at the school's org (or above it).
    roles.grant([roles.CLERK, roles.BUREAU_ADMIN], catalogue)
    roles.grant(
        [roles.LEADER],
        roles.crud("campus.school", "view")
        | roles.crud("campus.site", "view")
        | roles.crud("campus.term", "view")
        | roles.crud("campus.course", "view")
        | roles.crud("campus.section", "view")
        | roles.crud("campus.enrolment", "view")
        | roles.crud("campus.lotterydraw", "view"),
    )
    # Offered seats not accepted in time move on (cron: every few minutes); unpaid fees lapse (daily).
    PERIODIC_COMMANDS.setdefault("expire_campus_offers", _("Pass on offered class seats not accepted in time"))
    PERIODIC_COMMANDS.setdefault("lapse_campus_fees", _("Free the seats of class fees not paid in time"))

"""Registrations of the people half: roles' grants, audit, navigation, tiles, panels, related lists, seeder."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def grants() -> None:
    from yinling.accounts import roles

    crud = roles.crud
    staff = (
        crud("volunteering.volunteer", "view", "add", "change", "export")
        | crud("volunteering.team", "view", "add", "change", "delete", "export")
        | crud("volunteering.membership", "view", "add", "change")
        | crud("volunteering.pairing", "view", "add", "change")
        | crud("volunteering.pairingvisit", "view", "add")
        | crud("volunteering.story", "view", "change")
        | crud("volunteering.nomination", "view", "add", "change")
        | crud("volunteering.certificate", "view", "add", "change")
        | crud("volunteering.target", "view")
    )
    roles.grant([roles.CLERK], staff)
    roles.grant([roles.BUREAU_ADMIN], staff | crud("volunteering.target", "add", "change"))
    # Leaders read the figures and lists (never a child's name: that needs change_pairing).
    roles.grant(
        [roles.LEADER],
        crud("volunteering.volunteer", "view")
        | crud("volunteering.team", "view")
        | crud("volunteering.membership", "view")
        | crud("volunteering.nomination", "view")
        | crud("volunteering.certificate", "view")
        | crud("volunteering.story", "view")
        | crud("volunteering.target", "view"),
    )


def audit() -> None:
    from yinling.audit.registry import register
    from yinling.volunteering import models
    from yinling.volunteering.services.teams import mask_name

    # The cached totals change with every check-in (hours.recompute): their rows are the record.
    register(models.Volunteer, exclude=("credited_hours", "honour_hours", "stars"))
    for model in (models.Team, models.Membership, models.PairingVisit, models.Certificate, models.Target):
        register(model)
    register(models.Pairing, exclude=("minor_masked",), masker=lambda name, value: mask_name(str(value or "")))
    register(models.Story)
    register(models.Nomination)


def sees_volunteering(user: Any) -> bool:
    from yinling.core.scoping import has_anywhere
    from yinling.volunteering.models import Volunteer

    return getattr(user, "kind", "") == "retiree" or has_anywhere(user, Volunteer, "view")


def navigation() -> None:
    from yinling.core.navigation import NavItem, register_nav

    group = "volunteering"
    items = [
        NavItem(
            _("My volunteering"),
            "volunteering:me",
            order=50,
            group=group,
            icon="heart-pulse",
            check=lambda user: getattr(user, "kind", "") == "retiree",
        ),
        NavItem(
            _("Volunteers"),
            "volunteering:volunteers",
            perm="volunteering.view_volunteer",
            order=51,
            group=group,
            icon="people",
        ),
        NavItem(
            _("Volunteer teams"),
            "volunteering:teams",
            perm="volunteering.view_team",
            order=52,
            group=group,
            icon="diagram-3",
        ),
        NavItem(
            _("五老 pairings"),
            "volunteering:pairings",
            perm="volunteering.view_pairing",
            order=53,
            group=group,
            icon="hand-thumbs-up",
        ),
        NavItem(
            _("Stories"),
            "volunteering:stories",
            order=54,
            group=group,
            icon="journal-text",
            check=lambda user: getattr(user, "is_authenticated", False),
        ),
        NavItem(
            _("Nominations"),
            "volunteering:nominations",
            perm="volunteering.view_nomination",
            order=55,
            group=group,
            icon="clipboard-check",
        ),
        NavItem(
            _("Certificates"),
            "volunteering:certificates",
            perm="volunteering.view_certificate",
            order=56,
            group=group,
            icon="file-earmark-pdf",
        ),
        NavItem(
            _("十百千万 targets"),
            "volunteering:targets",
            perm="volunteering.view_target",
            order=57,
            group=group,
            icon="bar-chart-line",
        ),
    ]
    for item in items:
        register_nav(item)


def related() -> None:
    from yinling.core.related import RelatedList, register_related

    register_related(
        "orgs.org", RelatedList(_("Volunteers"), "volunteering:volunteers", lambda org: {"org": org.code}, order=30)
    )
    register_related(
        "orgs.org", RelatedList(_("Volunteer teams"), "volunteering:teams", lambda org: {"org": org.code}, order=31)
    )
    from yinling.core.related import RelatedSummary
    from yinling.volunteering.related import volunteer_summary

    # On a retiree's record: their volunteer hours and stars, linked to the volunteer's page.
    register_related(
        "registry.retiree", RelatedSummary(_("Volunteer"), "volunteering.volunteer", volunteer_summary, order=30)
    )


def register() -> None:
    from yinling.core.demo import Seeder, register_seeder
    from yinling.volunteering import home_tiles, panels
    from yinling.volunteering.demo import seed_volunteering

    grants()
    audit()
    navigation()
    related()
    home_tiles.register()
    panels.register_panels()
    register_seeder(Seeder("volunteering", seed_volunteering, order=50))

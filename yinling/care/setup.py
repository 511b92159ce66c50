"""Care's registrations: roles' grants, audit, navigation, the move signal, cockpit panels and the seeder."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def grants() -> None:
    from yinling.accounts import roles

    crud = roles.crud
    staff = (
        crud("care.careplan", "view", "add", "change", "export")
        | crud("care.careevent", "view", "add")
        | crud("care.visit", "view", "add", "export")
        | crud("care.campaign", "view", "add", "change", "export")
        | crud("care.campaigntarget", "view", "change", "export")
        | crud("care.plan1p1c", "view", "add", "change", "export")
        | crud("care.policyreview", "view", "add")
    )
    roles.grant([roles.CLERK, roles.BUREAU_ADMIN], staff)
    roles.grant(
        [roles.LEADER],
        crud("care.careplan", "view")
        | crud("care.careevent", "view")
        | crud("care.visit", "view")
        | crud("care.campaign", "view")
        | crud("care.campaigntarget", "view")
        | crud("care.plan1p1c", "view")
        | crud("care.policyreview", "view"),
    )


def is_retiree(user: Any) -> bool:
    return getattr(user, "kind", "") == "retiree"


def navigation() -> None:
    from yinling.core.navigation import NavItem, register_nav

    group = "care"
    for item in (
        NavItem(_("My visits"), "care:me", order=60, group=group, icon="house-door", check=is_retiree),
        NavItem(_("Due visits"), "care:due", perm="care.view_careplan", order=60, group=group, icon="calendar-event"),
        NavItem(_("Visit records"), "care:visits", perm="care.view_visit", order=61, group=group, icon="journal-text"),
        NavItem(_("Care plans"), "care:plans", perm="care.view_careplan", order=62, group=group, icon="list-task"),
        NavItem(
            _("Festival campaigns"), "care:campaigns", perm="care.view_campaign", order=63, group=group, icon="flag"
        ),
        NavItem(_("一人一策"), "care:policies", perm="care.view_plan1p1c", order=64, group=group, icon="person-vcard"),
    ):
        register_nav(item)


def audit() -> None:
    from yinling.audit.registry import register
    from yinling.care import models

    # Every change goes through a do_* service that writes its own record; registering gives the trail's
    # field labels and the masking of nothing sensitive (care rows hold no ID number or phone).
    for model in (models.CarePlan, models.CareEvent, models.Visit, models.Campaign, models.CampaignTarget):
        register(model)
    register(models.Plan1P1C)
    register(models.PolicyReview)


def figures() -> None:
    from yinling.core.dashboard import Figure, register_figure

    # Each number is the rows its list shows with that filter.
    register_figure(Figure(_("Care visits overdue"), "care:plans", {"overdue": "1"}, order=60))
    register_figure(Figure(_("一人一策 reviews overdue"), "care:policies", {"overdue": "1"}, order=61))


def related() -> None:
    from yinling.care.related import care_summary
    from yinling.core.related import RelatedSummary, register_related

    register_related("registry.retiree", RelatedSummary(_("Care"), "care.careplan", care_summary, order=35))


def register() -> None:
    from yinling.care import panels, signals
    from yinling.care.demo import seed_care
    from yinling.core.demo import Seeder, register_seeder

    grants()
    audit()
    navigation()
    figures()
    related()
    signals.connect()
    panels.register_panels()
    register_seeder(Seeder("care", seed_care, order=60))

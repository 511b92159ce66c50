"""Registrations of the cases app: roles' grants, navigation, the periodic sweep, the retiree's home tile,
the cockpit panels and the demo seeder."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from yinling.accounts import roles
    from yinling.jobs.periodic import PERIODIC_COMMANDS

    work = roles.crud("cases.case", "view", "add", "change", "export") | roles.crud("cases.serviceitem", "view")
    # Clerks and bureau admins file for retirees (代办) and decide the steps their role holds; bureau admins
    # also define items and keep the working-day calendar.
    roles.grant([roles.CLERK, roles.BUREAU_ADMIN], work)
    roles.grant(
        [roles.BUREAU_ADMIN],
        roles.crud("cases.serviceitem", "add", "change") | roles.crud("cases.workdayoverride", "view", "add", "change"),
    )
    roles.grant([roles.LEADER], roles.crud("cases.case", "view") | roles.crud("cases.serviceitem", "view"))
    PERIODIC_COMMANDS.setdefault("sweep_cases", _("Flag service cases near their time limit, escalate late ones"))

    from yinling.core.navigation import NavItem, register_nav

    items = [
        (_("Cases waiting for me"), "cases:queue", "cases.change_case", "clipboard-check", 10),
        (_("All cases"), "cases:case_list", "cases.view_case", "list-task", 20),
        (_("Service items"), "cases:item_list", "cases.view_serviceitem", "journal-text", 30),
        (_("Working-day calendar"), "cases:workday_list", "cases.view_workdayoverride", "calendar-event", 40),
    ]
    for label, url_name, perm, icon, order in items:
        register_nav(NavItem(label, url_name, perm=perm, order=500 + order, group="services", icon=icon))

    from yinling.cases import home_tiles, panels

    home_tiles.register()
    panels.register_panels()

    from yinling.cases.demo import seed_cases
    from yinling.core.demo import Seeder, register_seeder

    register_seeder(Seeder("cases", seed_cases, order=70))

    from yinling.audit.registry import register as audit_register
    from yinling.cases.models import ExternalService, WorkdayOverride

    # Plain records edited on a page: the trail records each save by signal.
    audit_register(WorkdayOverride)
    audit_register(ExternalService)

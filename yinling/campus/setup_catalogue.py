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
    navigation()
    audit()


def audit() -> None:
    """Pledges are plain records edited on the desk: the trail records each save. Schools, sites, courses,
    terms and sections are not registered: their services write their own records (views_staff.save_audited
    records the desk's edits), and a registration would record those saves twice."""
    from yinling.audit.registry import register
    from yinling.campus.models import SafetyPledge

    register(SafetyPledge)


def navigation() -> None:
    """The registrars' desk in the sidebar's "campus" group, each entry for those who may view its list."""
    from yinling.core.navigation import NavItem, register_nav

    items = [
        (_("Classes"), "campus:section_list", "campus.view_section", "list-task", 10),
        (_("Enrolments"), "campus:enrolment_list", "campus.view_enrolment", "people", 20),
        (_("Terms"), "campus:term_list", "campus.view_term", "calendar-event", 30),
        (_("Courses"), "campus:course_list", "campus.view_course", "journal-text", 40),
        (_("Schools"), "campus:school_list", "campus.view_school", "mortarboard", 50),
        (_("Teaching sites"), "campus:site_list", "campus.view_site", "geo-alt", 60),
        (_("Family safety pledges"), "campus:pledge_list", "campus.view_safetypledge", "shield-check", 70),
    ]
    for label, url_name, perm, icon, order in items:
        register_nav(NavItem(label, url_name, perm=perm, order=400 + order, group="campus", icon=icon))

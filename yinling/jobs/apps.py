from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "yinling.jobs"
    label = "jobs"
    verbose_name = _("Jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts import roles
        from yinling.core.navigation import NavItem, register_nav

        # Staff who start imports and exports see and cancel their subtree's jobs (and download
        # their files: these hold the same personal data the work itself reads). The leader's
        # role only reads the registry masked, so it does not get other people's result files.
        roles.grant([roles.CLERK, roles.BUREAU_ADMIN], roles.crud("jobs.job", "view", "change"))
        # The security administrator watches the periodic work (no files, no personal data).
        roles.grant([roles.SECURITY_ADMIN], roles.crud("jobs.job", "monitor"))
        register_nav(NavItem(_("My jobs"), "jobs:list", order=95, check=_has_jobs_page, icon="list-task"))


def _has_jobs_page(user: Any) -> bool:
    # Every signed-in person has their own jobs; the menu shows once there is something to see
    # or someone may see others' (staff with a role on jobs).
    from yinling.core.scoping import user_paths

    if not getattr(user, "is_authenticated", False):
        return False
    if user_paths(user, "jobs.view_job") or user_paths(user, "jobs.monitor_job"):
        return True
    from yinling.jobs.models import Job

    return Job.objects.unrestricted().filter(user=user).exists()

"""The 十百千万 board's models: each org's yearly targets, and the summary of hours by org and month.

Kept apart from models.py, which holds the volunteering records. `HoursByMonth` is derived data, like
`Volunteer.credited_hours`: rebuilt from the check-ins by `services.summary.refresh_hours_summary()`
(`run_periodic refresh_volunteer_hours`, every 10 minutes), never edited. The "hours by month" panel reads it
while it is fresh and sums the check-ins itself otherwise (a new install, the demo, a stopped cron): summing
1.9 million check-ins on each cold view of a province's cockpit took 0.7–1.0 s of its 2 s.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedQuerySet
from yinling.orgs.models import Org


class Target(models.Model):
    """An org's 十百千万 targets for a year (teams, stories, star volunteers, volunteers)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="volunteer_targets", verbose_name=_("org"))
    year = models.PositiveSmallIntegerField(_("year"))
    top_teams = models.PositiveIntegerField(_("top teams"), default=0)
    stories = models.PositiveIntegerField(_("stories"), default=0)
    star_volunteers = models.PositiveIntegerField(_("star volunteers"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="one_target_per_org_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


class HoursByMonth(models.Model):
    """Counted credited hours and check-ins of the activities held by one org, in one local month."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month, Asia/Shanghai
    hours = models.DecimalField(_("credited hours"), max_digits=14, decimal_places=2, default=0)
    checkins = models.PositiveIntegerField(_("check-ins"), default=0)
    refreshed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("volunteer hours by month")
        verbose_name_plural = _("volunteer hours by month")
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="one_hours_month")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m}: {self.hours} h"

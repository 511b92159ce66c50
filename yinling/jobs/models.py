"""A background job a person can see: what runs, for whom, how far it is, and what came of it.

The work itself runs in a django-tasks task (`tasks.run_job`); this row is what pages and the API
show, what cancellation and the stale-job sweep act on, and what scoping applies to: staff see
the jobs of their subtree (`jobs.view_job`), everyone sees the jobs they started, and holders of
`jobs.monitor_job` (the security administrator) see the periodic jobs (kind "periodic:…").
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedQuerySet, perm_name, user_paths
from yinling.orgs.models import Org

PERIODIC_PREFIX = "periodic:"


class JobQuerySet(ScopedQuerySet):
    def restrict(
        self, user: Any, action: str | None = "view", *, deleted: bool = False, perm: str | None = None
    ) -> Self:
        """Jobs in the user's subtrees where they hold `action`, their own jobs, and (for monitors) periodic ones.

        `action=None` (the object lookup of get_scoped_or_404) still means: in the subtree where
        the user holds `jobs.view_job`, not anywhere they hold any role: a leader's role does not
        show a clerk's import report."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            qs = self.none()
            qs._scoped = True
            return qs
        view = perm or perm_name(self.model, action or "view")
        q = Q(user=user)
        paths = user_paths(user, view)
        if paths:
            q |= self.scope_q(paths, action)
        monitor = user_paths(user, perm_name(self.model, "monitor"))
        if monitor:
            q |= self.scope_q(monitor, action) & Q(kind__startswith=PERIODIC_PREFIX)
        qs = self.filter(q)
        qs._scoped = True
        return qs


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Phase(models.TextChoices):
        # Cancelling is safe while checking (nothing is written); once applying it is refused.
        CHECKING = "checking", _("Checking")
        APPLYING = "applying", _("Applying")

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    label = models.CharField(_("title"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("started by")
    )
    org = models.ForeignKey(Org, on_delete=models.PROTECT, verbose_name=_("org"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.CHECKING)
    cancel_requested = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = JobQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_job_running")]

    def __str__(self) -> str:
        return self.label or self.kind

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def is_periodic(self) -> bool:
        return self.kind.startswith(PERIODIC_PREFIX)


class JobFile(models.Model):
    """A result file: kept in private storage (settings.JOB_FILES_DIR), served only by the download view."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("name"), max_length=200)
    stored = models.CharField(max_length=300)  # relative to JOB_FILES_DIR
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expired = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "job__org__path"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

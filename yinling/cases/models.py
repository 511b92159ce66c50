"""网上办: service items (事项) defined without code, and cases (办件) moving through approval steps.

A `ServiceItem` is offered to the whole subtree of the org that defines it. Its definition (form fields,
who may apply, documents, approval steps, time limit) lives in immutable `ServiceItemVersion` rows: each edit
adds a version, and a `Case` keeps the version it was filed under. A case's `step` indexes the version's
steps; `step_org` is the org whose holders of the step's role decide (moved one level up on escalation).
`version` is the optimistic lock: every change bumps it, and a decision taken on a stale page is refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.core.crypto import EncryptedTextField
from yinling.core.scoping import ScopedManager, ScopedQuerySet
from yinling.orgs.models import Org


class ServiceItemQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """Items defined in the user's subtrees; to view, also those defined above them (offered there too)."""
        q = super().scope_q(paths, action)
        if action == "view":
            ancestors = {p[: i + 1] for p in paths for i, ch in enumerate(p) if ch == "/"}
            q |= Q(org__path__in=ancestors)
        return q


class ServiceItem(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("defined at"))
    is_active = models.BooleanField(_("active"), default=True)
    current = models.ForeignKey(
        "ServiceItemVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceItemQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["org__path", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/cases/desk/items/{self.pk}/"


class ServiceItemVersion(models.Model):
    """One immutable definition of an item (see `definition.py` for its shape)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path_field = "item__org__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="cases_item_version_unique")]
        ordering = ["item", "number"]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A filed case reads its rules from here: changing a saved version would change them under it.
        if self.pk is not None:
            raise ValueError("A service item version is immutable; add a new version instead.")
        super().save(*args, **kwargs)

    @property
    def steps(self) -> list[dict[str, Any]]:
        return list(self.definition.get("steps", []))

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.definition.get("fields", []))

    @property
    def limit_days(self) -> int:
        return int(self.definition.get("limit_days", 0) or 0)


class Case(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        RETURNED = "returned", _("Returned for correction")
        REJECTED = "rejected", _("Rejected")
        COMPLETED = "completed", _("Completed")

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("item"))
    item_version = models.ForeignKey(ServiceItemVersion, on_delete=models.PROTECT, related_name="cases")
    retiree = models.ForeignKey(
        "registry.Retiree", on_delete=models.PROTECT, related_name="service_cases", verbose_name=_("applicant")
    )
    # The applicant's org when filed: it scopes the case (staff see cases of people in their subtree).
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("org"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf = models.BooleanField(_("filed on behalf"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    step_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("waiting at")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    data = models.JSONField(_("form"), default=dict)
    # A 信息变更's new phone or address: sensitive (PIPL), so encrypted at rest as the registry keeps it, and
    # `data` holds only its mask. Cleared once the case is closed (the registry then holds the value).
    sensitive_value = EncryptedTextField(blank=True, default="", editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    flagged_on = models.DateField(null=True, blank=True, editable=False)  # near-limit notice sent for this step
    escalated = models.BooleanField(_("escalated"), default=False)
    # Working days that were left when the case was returned: the clock stops while the applicant fixes it.
    days_left = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)

    objects = ScopedManager()
    scope_path_field = "org__path"
    audit_sensitive = ("sensitive_value",)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-filed_at", "-pk"]
        permissions = [("export_case", "Can export cases")]
        indexes = [
            models.Index(fields=["status", "step_org", "due_on"], name="cases_queue"),
            models.Index(fields=["retiree", "item", "status"], name="cases_open_by_person"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return f"/cases/desk/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.IN_PROGRESS, self.Status.RETURNED)

    @property
    def current_step(self) -> dict[str, Any] | None:
        steps = self.item_version.steps
        return steps[self.step] if self.step < len(steps) else None

    @property
    def step_name(self) -> str:
        step = self.current_step
        return str(step["name"]) if step else ""


class CaseEvent(models.Model):
    """A case's history: each step taken, by whom, when and why."""

    class Action(models.TextChoices):
        FILED = "filed", _("Filed")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned")
        REJECT = "reject", _("Rejected")
        RESUBMIT = "resubmit", _("Resubmitted")
        COMPLETE = "complete", _("Completed")
        ESCALATE = "escalate", _("Escalated")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    step = models.PositiveSmallIntegerField()
    step_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(max_length=500, blank=True)

    objects = ScopedManager()
    scope_path_field = "case__org__path"

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    field = models.CharField(max_length=40)
    file = models.FileField(upload_to="cases/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10)  # jpeg, png, webp, pdf
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path_field = "case__org__path"

    def __str__(self) -> str:
        return self.name


class WorkdayOverride(models.Model):
    """A day the calendar library does not know (a year it has no data for) or gets wrong: a holiday or a
    make-up working day (调休) entered by an administrator."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    # Not scoped: one national calendar for every org (edited by bureau admins anywhere).

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return self.day.isoformat()


class ExternalService(models.Model):
    """A link in the catalogue of services run elsewhere (浙里办 智慧医疗 and others)."""

    name = models.CharField(_("name"), max_length=60)
    url = models.URLField(_("link"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("external service")
        verbose_name_plural = _("external services")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


OPEN = Q(status__in=[Case.Status.IN_PROGRESS, Case.Status.RETURNED])

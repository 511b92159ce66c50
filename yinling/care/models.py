"""Care work (走访慰问): visit plans by risk, care events, visit records, festival campaigns and 一人一策.

A `CarePlan` per retiree stores, besides its risk level and responsible worker, the next date each kind of
contact is due (`next_visit_on`, `next_call_on`, `next_talk_on`, an event's 24-hour deadline, a milestone
birthday) and their minimum `next_due_on`. The visit service keeps them current, so a worker's due list is one
index range (`worker, next_due_on`) however many retirees the province has: nothing is computed from visits at
read time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.core.scoping import ScopedManager, ScopedQuerySet
from yinling.orgs.models import Org


class Risk(models.TextChoices):
    HIGH = "high", _("High risk")  # weekly, and within 24 h of an event
    KEY = "key", _("Key")  # monthly
    NORMAL = "normal", _("Normal")  # quarterly


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    HOSPITAL = "hospital", _("Hospital visit")
    CARE_HOME = "care_home", _("Care home visit")
    PHONE = "phone", _("Phone call")
    TALK = "talk", _("Heart-to-heart talk")


class Occasion(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    EVENT = "event", _("After an event")
    BIRTHDAY = "birthday", _("Milestone birthday")
    FESTIVAL = "festival", _("Festival campaign")


class EventKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital stay")
    BEREAVEMENT = "bereavement", _("Bereavement")
    ILLNESS = "illness", _("Serious illness")
    FALL = "fall", _("Fall or accident")
    OTHER = "other", _("Other")


class CarePlan(models.Model):
    retiree = models.OneToOneField(
        "registry.Retiree", on_delete=models.PROTECT, related_name="care_plan", verbose_name=_("retiree")
    )
    # A copy of the retiree's org (kept in step on moves, signals.py): the due list and the overdue report
    # filter and group by it without joining the registry's million rows.
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("org"), db_index=False)
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices, default=Risk.NORMAL)
    risk_reasons = models.CharField(_("reasons"), max_length=200, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible worker"),
        db_index=False,
    )
    started_on = models.DateField(_("started"))
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    last_call_on = models.DateField(_("last phone call"), null=True, blank=True)
    last_talk_on = models.DateField(_("last talk"), null=True, blank=True)
    next_visit_on = models.DateField(_("next visit due"))
    next_call_on = models.DateField(_("next call due"))
    next_talk_on = models.DateField(_("next talk due"))
    event_due_at = models.DateTimeField(_("visit due after an event"), null=True, blank=True)
    milestone_on = models.DateField(_("milestone birthday"), null=True, blank=True)
    milestone_done = models.PositiveSmallIntegerField(default=0, editable=False)  # the last milestone age visited
    next_due_on = models.DateField(_("next due"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        permissions = [("export_careplan", "Can export care plans")]
        indexes = [
            models.Index(fields=["worker", "next_due_on"], name="care_plan_worker_due"),
            models.Index(fields=["next_due_on"], name="care_plan_due"),
            models.Index(fields=["org", "next_visit_on"], name="care_plan_org_visit"),
            models.Index(fields=["org", "next_due_on"], name="care_plan_org_due"),
        ]

    def __str__(self) -> str:
        return str(self.retiree)


class CareEvent(models.Model):
    retiree = models.ForeignKey(
        "registry.Retiree", on_delete=models.PROTECT, related_name="care_events", verbose_name=_("retiree")
    )
    kind = models.CharField(_("event"), max_length=12, choices=EventKind.choices)
    happened_at = models.DateTimeField(_("when"))
    ended_on = models.DateField(_("ended (left hospital)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    visit_due_at = models.DateTimeField(_("visit due by"))
    visited = models.BooleanField(_("visited"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path_field = "retiree__org__path"

    class Meta:
        verbose_name = _("care event")
        verbose_name_plural = _("care events")
        indexes = [models.Index(fields=["retiree", "happened_at"], name="care_event_retiree")]

    def __str__(self) -> str:
        return f"{self.retiree} · {self.get_kind_display()}"


class CampaignQuerySet(ScopedQuerySet):
    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """Campaigns run in the user's subtrees; to view, also those run from an org above them (a province's
        春节慰问 is worked by every county: each sees its own part of the list)."""
        q = super().scope_q(paths, action)
        if action in ("view", None):
            ancestors = {p[: i + 1] for p in paths for i, ch in enumerate(p) if ch == "/"}
            q |= Q(org__path__in=ancestors)
        return q


class Campaign(models.Model):
    class Kind(models.TextChoices):
        SPRING = "spring", _("Spring Festival visits")  # 春节慰问
        MID_AUTUMN = "mid_autumn", _("Mid-Autumn visits")  # 中秋
        DOUBLE_NINTH = "double_ninth", _("Double Ninth visits")  # 重阳
        BIRTHDAY = "birthday", _("Milestone birthdays")  # 80, 90, 100
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("org"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SPRING)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    # Codes of rules.RULES: who is on the list.
    rules = models.JSONField(_("who is visited"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    built_at = models.DateTimeField(_("list built"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [("export_campaign", "Can export campaigns")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("care:campaign", args=[self.pk])


class CampaignTarget(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    retiree = models.ForeignKey("registry.Retiree", on_delete=models.PROTECT, related_name="+")
    # The retiree's org when the list was built: the report counts done / not done by it.
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", db_index=False)
    reasons = models.CharField(_("why on the list"), max_length=120, blank=True)  # "|lixiu|hardship|"
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    visit = models.OneToOneField(
        "care.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign_target"
    )
    done_on = models.DateField(_("visited on"), null=True, blank=True)

    objects = ScopedManager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        permissions = [("export_campaigntarget", "Can export campaign targets")]
        constraints = [models.UniqueConstraint(fields=["campaign", "retiree"], name="care_target_unique")]
        indexes = [models.Index(fields=["campaign", "org"], name="care_target_campaign_org")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.retiree}"

    @property
    def reasons_text(self) -> str:
        from yinling.care.rules import label_of

        return label_of(self.reasons)


class Visit(models.Model):
    retiree = models.ForeignKey(
        "registry.Retiree", on_delete=models.PROTECT, related_name="care_visits", verbose_name=_("retiree")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=VisitKind.choices)
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices, default=Occasion.ROUTINE)
    visited_on = models.DateField(_("date"))
    visitors = models.CharField(_("visitors"), max_length=200)
    given = models.CharField(_("what was given"), max_length=200, blank=True)
    needs = models.TextField(_("needs found"), max_length=2000, blank=True)
    follow_up = models.CharField(_("follow-up task"), max_length=300, blank=True)
    open_case = models.BooleanField(_("a service case should be opened"), default=False)
    event = models.ForeignKey(CareEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    photo = models.ImageField(_("photo"), upload_to="care/visits/%Y/%m/", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path_field = "retiree__org__path"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        permissions = [("export_visit", "Can export visits")]
        indexes = [
            models.Index(fields=["retiree", "visited_on"], name="care_visit_retiree"),
            models.Index(fields=["recorded_by", "visited_on"], name="care_visit_by"),
        ]

    def __str__(self) -> str:
        return f"{self.retiree} · {self.get_kind_display()} · {self.visited_on}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("care:visit", args=[self.pk])


class Plan1P1C(models.Model):
    """一人一策: one written plan for every 离休 cadre, reviewed on a rhythm."""

    retiree = models.OneToOneField(
        "registry.Retiree", on_delete=models.PROTECT, related_name="care_policy", verbose_name=_("retiree")
    )
    needs = models.TextField(_("needs"), max_length=2000)
    measures = models.TextField(_("measures"), max_length=2000)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    review_months = models.PositiveSmallIntegerField(_("review every (months)"), default=6)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review_on = models.DateField(_("next review"), db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path_field = "retiree__org__path"

    class Meta:
        verbose_name = _("一人一策 plan")
        verbose_name_plural = _("一人一策 plans")
        permissions = [("export_plan1p1c", "Can export 一人一策 plans")]

    def __str__(self) -> str:
        return str(self.retiree)


class PolicyReview(models.Model):
    plan = models.ForeignKey(Plan1P1C, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    notes = models.TextField(_("notes"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path_field = "plan__retiree__org__path"

    class Meta:
        verbose_name = _("一人一策 review")
        verbose_name_plural = _("一人一策 reviews")

    def __str__(self) -> str:
        return f"{self.plan} · {self.reviewed_on}"

"""志愿汇 volunteering: volunteers, teams, activities, check-ins and the hours they earn.

A volunteer is a registry retiree (there is no second copy of the person). Credited hours come only
from check-in and check-out (`Attendance`); honour hours for past or offline service are added by an
admin (`HonourHours`) and never count toward stars. `Volunteer.credited_hours`, `honour_hours` and
`stars` are caches recomputed from those rows by `hours.recompute()` in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.core.crypto import EncryptedTextField
from yinling.core.scoping import ScopedQuerySet
from yinling.orgs.models import Org

HOURS: dict[str, Any] = {"max_digits": 10, "decimal_places": 2}


class LiveQuerySet(ScopedQuerySet):
    """restrict() leaves out what the model's own `live_q()` says is gone (soft-deleted rows)."""

    def live_q(self) -> Q:
        return self.model.live_q()  # type: ignore[attr-defined,no-any-return]


class Skill(models.TextChoices):
    """The 银色人才 library's specialities."""

    POLICY = "policy", _("Policy outreach")  # 政策宣讲
    GOVERNANCE = "governance", _("Community governance")  # 社区治理
    MEDIATION = "mediation", _("Dispute mediation")  # 纠纷调解
    CARE = "care", _("Care and help")  # 关爱帮扶
    CULTURE = "culture", _("Culture")  # 文化
    MEDICAL = "medical", _("Medical")  # 医疗
    LEGAL = "legal", _("Legal")  # 法律
    EDUCATION = "education", _("Education")  # 教育
    TECH = "tech", _("Science and technology")  # 科技
    OTHER = "other", _("Other")


class Volunteer(models.Model):
    class Insurance(models.TextChoices):
        NONE = "none", _("Not insured")
        INSURED = "insured", _("Insured")

    retiree = models.OneToOneField(
        "registry.Retiree", on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("retiree")
    )
    # "|policy|culture|": multi-valued in a form every database filters on (as the registry's tags).
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    specialities = models.CharField(_("specialities"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=100, blank=True)
    service_areas = models.CharField(_("service areas"), max_length=200, blank=True)
    insurance = models.CharField(_("insurance"), max_length=8, choices=Insurance.choices, default=Insurance.NONE)
    insurance_expires = models.DateField(_("insurance expires"), null=True, blank=True)
    # 银雁返乡: a governance talent serving their home village.
    returning_talent = models.BooleanField(_("银雁返乡 talent"), default=False)
    home_village = models.CharField(_("home village"), max_length=100, blank=True)

    credited_hours = models.DecimalField(_("credited hours"), default=Decimal("0"), editable=False, **HOURS)
    honour_hours = models.DecimalField(_("honour hours"), default=Decimal("0"), editable=False, **HOURS)
    stars = models.PositiveSmallIntegerField(_("stars"), default=0, editable=False)
    # Over-reporting bars a volunteer from stars and honours until this date (1–3 years, set by the bureau).
    barred_until = models.DateField(_("barred from ratings until"), null=True, blank=True, editable=False)

    is_active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = LiveQuerySet.as_manager()
    scope_path_field = "retiree__org__path"

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        permissions = [("export_volunteer", "Can export volunteers"), ("bar_volunteer", "Can bar volunteers")]

    def __str__(self) -> str:
        return str(self.retiree)

    @classmethod
    def live_q(cls) -> Q:
        return Q(retiree__is_deleted=False)

    @property
    def skill_list(self) -> list[str]:
        return [s for s in self.skills.split("|") if s]

    @staticmethod
    def encode_skills(values: list[str] | tuple[str, ...]) -> str:
        values = [v for v in dict.fromkeys(values) if v]
        return f"|{'|'.join(values)}|" if values else ""


class Team(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General service")  # 综合服务
        SPECIALIST = "specialist", _("Specialist")  # 专业服务
        PARTY = "party", _("Party members")  # 党员先锋
        COMMUNITY = "community", _("Community")  # 社区
        CULTURE = "culture", _("Culture and arts")  # 文化文艺
        WULAO = "wulao", _("五老 pairing")  # 网上关工委 "五老" pairings with rural minors

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("org"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent team")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GENERAL)
    description = models.TextField(_("description"), blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        permissions = [("export_team", "Can export volunteer teams")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Member")
        REJECTED = "rejected", _("Not accepted")
        LEFT = "left", _("Left")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("team"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("volunteer")
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "team__org__path"

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"], condition=Q(status__in=["pending", "active"]), name="one_live_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


class Pairing(models.Model):
    """A 五老 volunteer paired with a rural minor (网上关工委). The minor's name is personal data: encrypted."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("team"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("volunteer")
    )
    minor_name = EncryptedTextField(_("child's name"))
    minor_masked = models.CharField(max_length=20, editable=False, blank=True)
    village = models.CharField(_("village"), max_length=100)
    since = models.DateField(_("paired since"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "team__org__path"
    audit_sensitive = ("minor_name",)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.minor_masked}"


class PairingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pairing"))
    visited_on = models.DateField(_("visited on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "pairing__team__org__path"

    class Meta:
        verbose_name = _("pairing visit")
        verbose_name_plural = _("pairing visits")
        ordering = ["-visited_on"]

    def __str__(self) -> str:
        return f"{self.pairing} {self.visited_on}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Community service")
        POLICY = "policy", _("Policy outreach")
        MEDIATION = "mediation", _("Mediation")
        CARE = "care", _("Care visits")
        CULTURE = "culture", _("Culture")
        MEDICAL = "medical", _("Health and medical")
        EDUCATION = "education", _("Teaching and mentoring")
        OTHER = "other", _("Other")

    class OpenTo(models.TextChoices):
        TEAM = "team", _("The team")
        SCOPE = "scope", _("Volunteers in the org's area")
        ALL = "all", _("Everyone")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="volunteer_activities", verbose_name=_("org"))
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("team")
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SERVICE)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    # None: no sign-up limit. A walk-in activity takes check-ins without sign-up.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    open_to = models.CharField(_("open to"), max_length=8, choices=OpenTo.choices, default=OpenTo.SCOPE)
    signup_deadline = models.DateTimeField(_("sign-up deadline"), null=True, blank=True)
    walk_in = models.BooleanField(_("walk-in (no sign-up needed)"), default=False)
    checkin_opens_minutes = models.PositiveSmallIntegerField(_("check-in opens (minutes before the start)"), default=30)
    # The rotating check-in code is derived from this secret and the time (see codes.py); never shown.
    code_secret = models.CharField(max_length=64, editable=False)
    signed_up = models.PositiveIntegerField(default=0, editable=False)  # live sign-ups, kept under the row lock
    is_cancelled = models.BooleanField(_("cancelled"), default=False, editable=False)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "org__path"
    audit_exclude = ("code_secret", "signed_up")

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        permissions = [("export_activity", "Can export volunteer activities")]
        indexes = [models.Index(fields=["start"], name="vol_activity_start")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="activity_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)

    @property
    def length_hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(3600)


class Signup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)  # waitlist order: created_at, then id
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "activity__org__path"

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status__in=["signed_up", "waitlisted"]),
                name="one_live_signup",
            )
        ]
        indexes = [models.Index(fields=["activity", "status", "created_at"], name="vol_signup_queue")]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.activity} ({self.status})"


class Attendance(models.Model):
    """One volunteer's check-in and check-out at one activity; the only source of credited hours."""

    class Review(models.TextChoices):
        NONE = "", _("Not needed")
        PENDING = "pending", _("Awaiting the leader")
        CONFIRMED = "confirmed", _("Confirmed")
        CUT = "cut", _("Cut")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="attendances")
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Set when a leader checked the volunteer in or out (a volunteer without a phone).
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.CharField(max_length=64, blank=True, editable=False)  # a hash, never the raw value
    auto_closed = models.BooleanField(_("closed at the activity's end"), default=False)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.NONE, blank=True)
    credited_hours = models.DecimalField(_("credited hours"), null=True, blank=True, **HOURS)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "activity__org__path"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="one_attendance")]
        indexes = [models.Index(fields=["volunteer", "checked_in_at"], name="vol_attendance_person")]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.activity}"


class HonourHours(models.Model):
    """Hours for past or offline service, added by an admin with a reason; never counted toward stars."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="honours")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    served_on = models.DateField(_("served on"))
    hours = models.DecimalField(_("hours"), **HOURS)
    reason = models.CharField(_("reason"), max_length=300)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "volunteer__retiree__org__path"

    class Meta:
        verbose_name = _("honour hours")
        verbose_name_plural = _("honour hours")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="honour_hours_positive")]

    def __str__(self) -> str:
        return f"{self.volunteer} +{self.hours}"


class Flag(models.Model):
    class Kind(models.TextChoices):
        OVERLAP = "overlap", _("Overlapping activities")
        LONG_DAY = "long_day", _("More hours in a day than is plausible")
        SHARED_DEVICE = "shared_device", _("Many check-ins from one device")
        NO_CHECKOUT = "no_checkout", _("Forgot to check out")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Hours kept")
        CUT = "cut", _("Hours cut")
        BARRED = "barred", _("Over-reported: barred")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="flags")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="flags")
    attendance = models.ForeignKey(Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "activity__org__path"

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "attendance"], condition=Q(status="open"), name="one_open_flag_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.volunteer}"


class Bar(models.Model):
    """A bar from stars and honours for over-reporting; `Volunteer.barred_until` caches the latest."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="bars")
    since = models.DateField(_("from"))
    until = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "volunteer__retiree__org__path"

    class Meta:
        verbose_name = _("bar")
        verbose_name_plural = _("bars")

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.until}"


class Certificate(models.Model):
    """A service certificate; its code lets anyone check it on a public page that shows no personal data."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing org"))
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    credited_hours = models.DecimalField(**HOURS)
    honour_hours = models.DecimalField(**HOURS)
    stars = models.PositiveSmallIntegerField(default=0)
    hours_by_year = models.JSONField(default=dict)  # {"2025": "12.5", ...} credited hours
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_revoked = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code


class Story(models.Model):
    """助力微故事: written by anyone, reviewed by staff, then published."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        PUBLISHED = "published", _("Published")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("org"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="stories", verbose_name=_("volunteer")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="stories", verbose_name=_("team")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("story"))
    photo = models.ImageField(_("photo"), upload_to="volunteering/stories/%Y/%m/", null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        return self.title


class Nomination(models.Model):
    """A nomination for 银耀好团队 or 最美助力之星, reviewed up the tree one level at a time."""

    class Kind(models.TextChoices):
        TEAM = "team", _("银耀好团队 (outstanding team)")
        STAR = "star", _("最美助力之星 (outstanding volunteer)")

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations"
    )
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominated by"))
    # The org whose staff review it now; moves one level up on each approval, to the top bureau.
    at_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("now reviewed at"))
    materials = models.TextField(_("materials"))
    attachment = models.FileField(_("attachment"), upload_to="volunteering/nominations/%Y/", null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IN_REVIEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # Reviewers up the tree see it through at_org; the nominating org's staff through org (see policy).
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="team", team__isnull=False, volunteer__isnull=True))
                | Q(kind="star", volunteer__isnull=False, team__isnull=True),
                name="nomination_names_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.team or self.volunteer}"


class NominationStep(models.Model):
    class Decision(models.TextChoices):
        FORWARDED = "forwarded", _("Approved and sent up")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="steps")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination} {self.decision}"


# The board's models (targets, the hours summary) live in their own module; imported here so that Django
# registers them with the app and `from yinling.volunteering.models import Target` keeps working.
from yinling.volunteering.models_board import HoursByMonth as HoursByMonth  # noqa: E402
from yinling.volunteering.models_board import Target as Target  # noqa: E402

"""智慧校园, the senior university: schools and sites, terms, courses, sections and enrolments.

A school and each of its sites are nodes of the org tree (`School.org`, `Site.org`, one to one): where a
site is decides who sees it, and its coordinates are its org's. A section is one class of a course in one
term at one site, with weekly slots, a capacity and a fee. `Section.taken` counts the seats held (enrolled
and offered); it is changed only by a conditional UPDATE (`services.seats`), so two requests can never
sell the same seat. `TermLoad` is one row per person and term: the row a person's own requests lock (the
per-person limit and clashes are decided under it) and where the lottery writes the person's draw number.
The teaching half (meetings, attendance, lessons, certificates) is in `models_teaching.py`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.campus.querysets import LiveQuerySet
from yinling.core.scoping import ScopedQuerySet
from yinling.orgs.models import Org


class School(models.Model):
    """A senior university (province, city or county): the org that runs it, and its rules."""

    org = models.OneToOneField(Org, on_delete=models.PROTECT, related_name="campus_school", verbose_name=_("org"))
    name = models.CharField(_("name"), max_length=100)
    # Age rules (DOMAIN.md): women from 50, men from 55, up to 80; older only with a family safety pledge.
    women_from = models.PositiveSmallIntegerField(_("women from age"), default=50)
    men_from = models.PositiveSmallIntegerField(_("men from age"), default=55)
    age_until = models.PositiveSmallIntegerField(_("up to age"), default=80)
    returning_priority = models.BooleanField(
        _("returning students first in the lottery"),
        default=False,
        help_text=_("Students who took the same course last term are drawn before new applicants."),
    )
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        permissions = [("export_school", "Can export schools")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)


class Site(models.Model):
    class Kind(models.TextChoices):
        CAMPUS = "campus", _("Main campus")  # 校本部
        BRANCH = "branch", _("Branch school")  # 分校
        POINT = "point", _("Teaching point")  # 教学点
        DOORSTEP = "doorstep", _("Doorstep university")  # 家门口老年大学
        STATION = "station", _("乐活驿站")

    org = models.OneToOneField(Org, on_delete=models.PROTECT, related_name="campus_site", verbose_name=_("org"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sites", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.POINT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    rooms = models.CharField(_("rooms"), max_length=200, blank=True, help_text=_("Comma-separated, e.g. 101, 102"))
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        permissions = [("export_site", "Can export sites")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)

    @property
    def room_list(self) -> list[str]:
        return [r.strip() for r in self.rooms.replace("，", ",").split(",") if r.strip()]


class Term(models.Model):
    class Mode(models.TextChoices):
        FIRST_COME = "first_come", _("First come, first served")
        LOTTERY = "lottery", _("Application window, then a lottery")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="terms", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=60)
    starts = models.DateField(_("classes start"))
    ends = models.DateField(_("classes end"))
    mode = models.CharField(_("enrolment"), max_length=10, choices=Mode.choices, default=Mode.FIRST_COME)
    apply_from = models.DateTimeField(_("enrolment opens"))
    apply_until = models.DateTimeField(_("enrolment closes"))
    limit = models.PositiveSmallIntegerField(_("sections per person"), default=2)
    choices = models.PositiveSmallIntegerField(_("ranked choices in the lottery"), default=3)
    fees_due = models.DateField(_("fees due by"), null=True, blank=True)
    offer_hours = models.PositiveSmallIntegerField(_("hours to accept an offered seat"), default=48)
    # The lottery's seed: made when the term is created, its SHA-256 published while the window is open,
    # the seed itself shown once drawn (hidden before so nobody can compute the draw in advance).
    seed = models.CharField(max_length=64, editable=False)
    seed_sha256 = models.CharField(max_length=64, editable=False)
    drawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    draw_digest = models.CharField(max_length=64, blank=True, editable=False)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "school__org__path"
    audit_exclude = ("seed",)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts", "pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.name}"

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)


class Category(models.TextChoices):
    CALLIGRAPHY = "calligraphy", _("Calligraphy and painting")  # 书画
    SINGING = "singing", _("Singing")  # 声乐
    DANCE = "dance", _("Dance")  # 舞蹈
    TAICHI = "taichi", _("Tai chi")  # 太极
    PHOTOGRAPHY = "photography", _("Photography")  # 摄影
    PHONE = "phone", _("Smartphones")  # 智能手机
    HEALTH = "health", _("Health and wellbeing")  # 健康养生
    HISTORY = "history", _("Literature and history")  # 文史
    LANGUAGE = "language", _("Languages")  # 外语
    MUSIC = "music", _("Musical instruments")  # 器乐
    OTHER = "other", _("Other")


class Course(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="courses", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("description"), blank=True)
    prerequisite = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("prerequisite")
    )
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "school__org__path"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("export_course", "Can export courses")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sections", verbose_name=_("course"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sections", verbose_name=_("term"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sections", verbose_name=_("site"))
    name = models.CharField(_("class name"), max_length=60, blank=True, help_text=_("e.g. 周一上午班"))
    teacher = models.CharField(_("teacher"), max_length=50, blank=True)
    # The account that takes attendance on a phone (a staff member or a retiree teaching); optional.
    teacher_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campus_sections",
        verbose_name=_("teacher's account"),
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    fee = models.DecimalField(_("fee (yuan)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    waitlist = models.BooleanField(_("keeps a waitlist"), default=True)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    live_url = models.URLField(_("live class link"), blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "site__org__path"

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        permissions = [("export_section", "Can export sections"), ("draw_section", "Can run a term's lottery")]
        constraints = [models.CheckConstraint(condition=Q(taken__lte=models.F("capacity")), name="campus_seats")]
        indexes = [models.Index(fields=["term", "course"], name="campus_section_term")]

    def __str__(self) -> str:
        return f"{self.course} {self.name}".strip()

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.taken)


class Slot(models.Model):
    """A weekly class time (weekday 1 = Monday … 7 = Sunday, as Chinese timetables number them)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "section__site__org__path"

    class Meta:
        verbose_name = _("class time")
        verbose_name_plural = _("class times")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="campus_slot_weekday"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="campus_slot_order"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"

    def clashes(self, other: Slot) -> bool:
        return self.weekday == other.weekday and self.start < other.end and other.start < self.end


class TermLoad(models.Model):
    """One person in one term: the row their own requests lock (limit and clashes are decided under it)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="loads")
    retiree = models.ForeignKey("registry.Retiree", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "term__school__org__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "retiree"], name="campus_one_load")]

    def __str__(self) -> str:
        return f"{self.retiree_id} @ {self.term_id}"


LIVE = ("applied", "enrolled", "waitlisted", "offered")
HOLDS_SEAT = ("enrolled", "offered")


class Enrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied (awaiting the draw)")
        ENROLLED = "enrolled", _("Has a seat in the class")
        WAITLISTED = "waitlisted", _("Waitlisted")
        OFFERED = "offered", _("Seat offered")
        NOT_DRAWN = "not_drawn", _("Not drawn")
        WITHDRAWN = "withdrawn", _("Withdrew from the class")
        DECLINED = "declined", _("Offer declined")
        EXPIRED = "expired", _("Offer expired")
        LAPSED = "lapsed", _("Fee not paid in time")

    # No single-column indexes on section, term and by: campus_enrol_queue starts with the section and
    # campus_enrol_person with the term, and nothing looks enrolments up by who made them (a user is
    # deactivated, not deleted). Each index is written again for every row the draw updates (bench:
    # the UPDATE of 224,600 applications took 10.1 s with eight indexes, 7.4 s with five).
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="enrolments", db_index=False)
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", db_index=False)
    retiree = models.ForeignKey("registry.Retiree", on_delete=models.PROTECT, related_name="campus_enrolments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rank = models.PositiveSmallIntegerField(_("choice"), null=True, blank=True)  # lottery: 1 = first choice
    # Waitlist order: the arrival order for first-come, the draw order after a lottery (lower goes first).
    queue = models.BigIntegerField(default=0)
    offered_until = models.DateTimeField(null=True, blank=True)
    fee_due_on = models.DateField(_("fee due"), null=True, blank=True)
    fee_paid_on = models.DateField(_("fee paid"), null=True, blank=True)
    completed = models.BooleanField(_("completed"), default=False)
    on_behalf = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "section__site__org__path"

    class Meta:
        verbose_name = _("class enrolment")
        verbose_name_plural = _("class enrolments")
        permissions = [("export_enrolment", "Can export enrolments")]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "retiree"], condition=Q(status__in=LIVE), name="campus_one_live_enrolment"
            )
        ]
        indexes = [
            models.Index(fields=["section", "status", "queue"], name="campus_enrol_queue"),
            models.Index(fields=["term", "retiree"], name="campus_enrol_person"),
        ]

    def __str__(self) -> str:
        return f"{self.retiree} → {self.section} ({self.status})"


class LotteryDraw(models.Model):
    """A term's draw, kept whole so anyone can re-run it: the anonymised inputs, the seats, the seed and the
    results, as canonical JSON (`lottery.canonical`); `digest` is the SHA-256 of the results."""

    term = models.OneToOneField(Term, on_delete=models.PROTECT, related_name="draw")
    inputs = models.TextField(editable=False)
    results = models.TextField(editable=False)
    digest = models.CharField(max_length=64, editable=False)
    algorithm = models.CharField(max_length=20, default="rounds-v1", editable=False)
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "term__school__org__path"

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")

    def __str__(self) -> str:
        return f"{self.term} ({self.digest[:12]})"


class SafetyPledge(models.Model):
    """A family safety pledge on file (家属安全承诺书): lets a person over the age limit enrol."""

    retiree = models.ForeignKey("registry.Retiree", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pledges")
    signed_by = models.CharField(_("signed by (family member)"), max_length=50)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "retiree__org__path"

    class Meta:
        verbose_name = _("family safety pledge")
        verbose_name_plural = _("family safety pledges")

    def __str__(self) -> str:
        return f"{self.retiree} ({self.signed_on})"


# The teaching half's models live in models_teaching.py (this module would pass 600 lines); importing them
# here registers them with the app and keeps `from yinling.campus.models import Meeting` working.
from yinling.campus.models_teaching import Certificate, Lesson, Meeting, Presence, Watch  # noqa: E402

__all__ = [
    "Category",
    "Certificate",
    "Course",
    "Enrolment",
    "Lesson",
    "LotteryDraw",
    "Meeting",
    "Presence",
    "SafetyPledge",
    "School",
    "Section",
    "Site",
    "Slot",
    "Term",
    "TermLoad",
    "Watch",
]

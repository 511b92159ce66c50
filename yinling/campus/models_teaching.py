"""Teaching: class meetings and attendance, online lessons and what was watched, completion certificates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinling.campus.querysets import LiveQuerySet
from yinling.core.scoping import ScopedQuerySet


class Meeting(models.Model):
    """One class meeting of a section (a date and times, from its weekly slots or added by hand)."""

    section = models.ForeignKey("campus.Section", on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField(_("date"))
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    # Self check-in: a rotating code (HMAC of a period index, as volunteering's) under this secret.
    code_secret = models.CharField(max_length=64, editable=False)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "section__site__org__path"

    class Meta:
        verbose_name = _("class meeting")
        verbose_name_plural = _("class meetings")
        ordering = ["date", "start"]
        constraints = [models.UniqueConstraint(fields=["section", "date", "start"], name="campus_one_meeting")]

    def __str__(self) -> str:
        return f"{self.section} {self.date}"


class Presence(models.Model):
    """A student marked present at a meeting: by the teacher's tap, by staff, or by their own code."""

    class Method(models.TextChoices):
        TEACHER = "teacher", _("Marked by the teacher")
        STAFF = "staff", _("Marked by staff")
        CODE = "code", _("Checked in with the code")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="presences")
    enrolment = models.ForeignKey("campus.Enrolment", on_delete=models.PROTECT, related_name="presences")
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "meeting__section__site__org__path"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "enrolment"], name="campus_one_presence")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} @ {self.meeting_id}"


class Lesson(models.Model):
    """An online lesson (网上老年大学): an uploaded video or a link, for a course's students or for everyone."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Uploaded video")
        LINK = "link", _("Link")

    course = models.ForeignKey("campus.Course", on_delete=models.PROTECT, related_name="lessons")
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.LINK)
    video = models.FileField(_("video"), upload_to="campus/lessons/", blank=True)
    url = models.URLField(_("link"), blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=0)
    open_to_all = models.BooleanField(_("open to everyone"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveQuerySet.as_manager()
    scope_path_field = "course__school__org__path"

    class Meta:
        verbose_name = _("online lesson")
        verbose_name_plural = _("online lessons")
        ordering = ["course", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def live_q(cls) -> Q:
        return Q(is_deleted=False)


class Watch(models.Model):
    """How much of an online lesson a person has watched (the furthest point, in seconds)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="watches")
    retiree = models.ForeignKey("registry.Retiree", on_delete=models.PROTECT, related_name="+")
    seconds = models.PositiveIntegerField(default=0)
    completed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "retiree__org__path"

    class Meta:
        verbose_name = _("lesson watched")
        verbose_name_plural = _("lessons watched")
        constraints = [models.UniqueConstraint(fields=["lesson", "retiree"], name="campus_one_watch")]

    def __str__(self) -> str:
        return f"{self.retiree_id}: {self.lesson_id} ({self.seconds} s)"


class Certificate(models.Model):
    """A completion certificate: issued once per enrolment, with a code anyone can check."""

    enrolment = models.OneToOneField("campus.Enrolment", on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=16, unique=True, editable=False)
    attended = models.PositiveSmallIntegerField(default=0, editable=False)
    meetings = models.PositiveSmallIntegerField(default=0, editable=False)
    issued_on = models.DateField(editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "enrolment__section__site__org__path"

    class Meta:
        verbose_name = _("completion certificate")
        verbose_name_plural = _("completion certificates")

    def __str__(self) -> str:
        return self.code

"""Online lessons (网上老年大学): an uploaded video or a link, added to a course by staff; who may watch; what
each person watched (the furthest second, completed at 90 %).

An uploaded video is checked by its first bytes (an MP4/QuickTime `ftyp` box or a WebM/Matroska header), not
by its name or the browser's content type, and by its size (`CAMPUS_LESSON_MAX_BYTES`). It is stored under
MEDIA_ROOT with a random name and is never served from there: the lesson's video address streams it to those
who may watch (`may_watch`), so a leaked file name is not enough.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.campus import policy
from yinling.campus.models import Course, Enrolment, Lesson, Watch
from yinling.core.refusals import Refused
from yinling.core.scoping import can
from yinling.registry import acting
from yinling.registry.models import Retiree

COMPLETE_SHARE = 0.9
# A watch report never claims more than a day of video (a link's length is unknown).
MAX_SECONDS = 24 * 3600
# Where a student's enrolment counts for a course's lessons: enrolled now or before (a term that ended).
STUDENT_STATUSES = (Enrolment.Status.ENROLLED,)


def max_bytes() -> int:
    return int(getattr(settings, "CAMPUS_LESSON_MAX_BYTES", 500 * 1024 * 1024))


def video_kind(head: bytes) -> str:
    """The file extension for these first bytes of a video ("mp4", "webm"), or "" when they are not one."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return ""


def check_video(video: UploadedFile) -> str:
    """The video's extension; Refused("invalid") for anything but an MP4 or WebM video within the size limit."""
    limit = max_bytes()
    if video.size is None or video.size > limit:
        raise Refused("invalid", _("The video is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    video.seek(0)
    head = video.read(16)
    video.seek(0)
    kind = video_kind(head)
    if not kind:
        raise Refused("invalid", _("The video must be an MP4 or WebM file."))
    return kind


@transaction.atomic
def do_add_lesson(
    *,
    by: Any,
    course: Course,
    title: str,
    video: UploadedFile | None = None,
    url: str = "",
    minutes: int = 0,
    open_to_all: bool = False,
    order: int = 0,
) -> Lesson:
    current = Course.objects.unrestricted().select_related("school__org").get(pk=course.pk)
    policy.check_at(by, Lesson, "add", current.school.org)
    title = title.strip()
    if not title:
        raise Refused("invalid", _("Give the lesson a title."))
    if (video is None) == (not url):
        raise Refused("invalid", _("Upload a video or give a link, one of the two."))
    lesson = Lesson(
        course=current,
        title=title[:100],
        url=url,
        minutes=max(0, minutes),
        open_to_all=open_to_all,
        order=order,
        kind=Lesson.Kind.VIDEO if video is not None else Lesson.Kind.LINK,
    )
    if video is not None:
        ext = check_video(video)
        lesson.video.save(f"{secrets.token_urlsafe(24)}.{ext}", video, save=False)
    lesson.save()
    record(AuditRecord.Action.CREATE, lesson, org_path=current.school.org.path)
    return lesson


@transaction.atomic
def do_remove_lesson(*, by: Any, lesson: Lesson) -> None:
    current = Lesson.objects.unrestricted().select_related("course__school__org").get(pk=lesson.pk)
    policy.check_at(by, Lesson, "change", current.course.school.org)
    current.is_deleted = True
    current.save(update_fields=["is_deleted"])
    record(AuditRecord.Action.DELETE, current, org_path=current.course.school.org.path)


def is_student(retiree: Retiree, course: Course) -> bool:
    return (
        Enrolment.objects.unrestricted()
        .filter(retiree=retiree, section__course=course, status__in=STUDENT_STATUSES)
        .exists()
    )


def may_watch(user: Any, lesson: Lesson) -> bool:
    """Staff who see the lesson in their area; a retiree who is a student of its course, or anyone when it is open."""
    if lesson.is_deleted:
        return False
    me = acting.retiree_of(user)
    if me is None:
        return can(user, "view", lesson)
    return lesson.open_to_all or is_student(me, lesson.course)


def lessons_for(retiree: Retiree) -> QuerySet[Lesson]:
    """The lessons a retiree may watch: those of their courses, and every open one."""
    from django.db.models import Q

    courses = Enrolment.objects.unrestricted().filter(retiree=retiree, status__in=STUDENT_STATUSES)
    return (
        Lesson.objects.unrestricted()
        .filter(is_deleted=False, course__is_deleted=False)
        .filter(Q(open_to_all=True) | Q(course__in=courses.values("section__course")))
        .select_related("course")
        .order_by("course__name", "order", "pk")
    )


@transaction.atomic
def do_record_watch(*, by: Any, lesson: Lesson, seconds: int, duration: int = 0) -> Watch:
    """The page's report of how far the video played: keeps the furthest second; completed at 90 % of the length.

    The length is the lesson's own (minutes) when set, else what the player reported (`duration`)."""
    me = acting.retiree_of(by)
    if me is None or not may_watch(by, lesson):
        raise PermissionDenied
    length = lesson.minutes * 60 if lesson.minutes else max(0, min(int(duration), MAX_SECONDS))
    at = max(0, min(int(seconds), length or MAX_SECONDS))
    watch, _created = Watch.objects.unrestricted().select_for_update().get_or_create(lesson=lesson, retiree=me)
    changed = []
    if at > watch.seconds:
        watch.seconds = at
        changed.append("seconds")
    if not watch.completed and length and watch.seconds >= COMPLETE_SHARE * length:
        watch.completed = True
        changed.append("completed")
    if changed:
        watch.save(update_fields=[*changed, "updated_at"])
    return watch

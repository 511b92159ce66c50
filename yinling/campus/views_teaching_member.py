"""The student's teaching pages (elder mode, phone first): check in to today's class with the teacher's code,
online lessons and their videos, the live-class timetable of this week, and completion certificates.

A lesson page is also open to staff who see the lesson (to check what students get); the rest are a
signed-in retiree's own pages (404 for staff).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.campus.forms_teaching import CodeForm
from yinling.campus.models import Certificate, Enrolment, Lesson, Meeting, Section, Watch
from yinling.campus.services import teaching
from yinling.campus.services import teaching_certificates as certificates
from yinling.campus.services import teaching_lessons as lessons
from yinling.core import ratelimit, refusals
from yinling.core.member_pages import member_page
from yinling.core.refusals import Refused
from yinling.registry import acting
from yinling.registry.models import Retiree


def _me(request: HttpRequest) -> Retiree:
    me = acting.retiree_of(request.user)
    if me is None:
        raise Http404  # staff: these are a student's own pages
    return me


def _int(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else 0


# --- check-in --------------------------------------------------------------------------------------------


@login_required
def checkin_today(request: HttpRequest) -> HttpResponse:
    """Today's classes: with one, straight to its code page; with several, pick one."""
    _me(request)
    meetings = teaching.meetings_today_of(request.user)
    if len(meetings) == 1:
        return redirect("campus:meeting_checkin", pk=meetings[0].pk)
    return member_page(request, "campus/teaching/checkin_today.html", {"meetings": meetings})


@login_required
def meeting_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    _me(request)
    meeting = Meeting.objects.unrestricted().select_related("section__course", "section__site").filter(pk=pk).first()
    enrolment = teaching.enrolment_of(request.user, meeting.section) if meeting is not None else None
    if meeting is None or enrolment is None:
        raise Http404
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            teaching.do_code_checkin(by=request.user, meeting=meeting, code=form.cleaned_data["code"])
        except Refused as exc:
            refusals.on_form(form, exc, "code")
        else:
            messages.success(request, _("You are checked in. Enjoy the class!"))
            return redirect("campus:meeting_checkin", pk=pk)
    present = enrolment.pk in teaching.present_ids(meeting)
    return member_page(request, "campus/teaching/checkin.html", {"meeting": meeting, "form": form, "present": present})


# --- online lessons ----------------------------------------------------------------------------------------


@login_required
def my_lessons(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    found = list(lessons.lessons_for(me))
    watched = {w.lesson_id: w for w in Watch.objects.unrestricted().filter(retiree=me, lesson__in=found)}
    rows = [(lesson, watched.get(lesson.pk)) for lesson in found]
    return member_page(request, "campus/teaching/my_lessons.html", {"rows": rows})


def _watchable(request: HttpRequest, pk: int) -> Lesson:
    lesson = Lesson.objects.unrestricted().select_related("course").filter(pk=pk, is_deleted=False).first()
    if lesson is None or not lessons.may_watch(request.user, lesson):
        raise Http404
    return lesson


@login_required
def lesson_watch(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _watchable(request, pk)
    me = acting.retiree_of(request.user)
    watch = Watch.objects.unrestricted().filter(lesson=lesson, retiree=me).first() if me else None
    return member_page(request, "campus/teaching/lesson.html", {"lesson": lesson, "watch": watch, "student": me})


@login_required
def lesson_video(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The uploaded video, streamed to those who may watch it (never from a public media address)."""
    lesson = _watchable(request, pk)
    if lesson.kind != Lesson.Kind.VIDEO or not lesson.video:
        raise Http404
    try:
        handle = lesson.video.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = "video/webm" if str(lesson.video.name).endswith(".webm") else "video/mp4"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def lesson_watched(request: HttpRequest, pk: int) -> HttpResponse:
    """The player's report (every half minute and at the end): how far it played, and the video's length."""
    lesson = _watchable(request, pk)
    if acting.retiree_of(request.user) is None:
        return JsonResponse({"recorded": False})  # staff previewing a lesson
    try:
        watch = lessons.do_record_watch(
            by=request.user,
            lesson=lesson,
            seconds=_int(request.POST.get("seconds")),
            duration=_int(request.POST.get("duration")),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    return JsonResponse({"recorded": True, "seconds": watch.seconds, "completed": watch.completed})


# --- the live-class timetable -----------------------------------------------------------------------------


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@login_required
def live_timetable(request: HttpRequest) -> HttpResponse:
    """This week's class meetings with a live link, of the classes the student is enrolled in."""
    me = _me(request)
    monday, sunday = week_of(timezone.localdate())
    sections = (
        Section.objects.unrestricted()
        .filter(enrolments__retiree=me, enrolments__status=Enrolment.Status.ENROLLED, is_deleted=False)
        .exclude(live_url="")
    )
    meetings = list(
        Meeting.objects.unrestricted()
        .filter(section__in=sections, date__range=(monday, sunday), is_cancelled=False)
        .select_related("section__course", "section__site")
        .order_by("date", "start")
    )
    return member_page(
        request,
        "campus/teaching/timetable.html",
        {"meetings": meetings, "monday": monday, "sunday": sunday, "today": timezone.localdate()},
    )


# --- certificates ------------------------------------------------------------------------------------------


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    """The student's classes of ended terms: the certificate when earned, or why not."""
    me = _me(request)
    today = timezone.localdate()
    enrolments = (
        Enrolment.objects.unrestricted()
        .filter(retiree=me, status=Enrolment.Status.ENROLLED, section__term__ends__lt=today)
        .select_related("section__course", "section__term")
        .order_by("-section__term__ends")
    )
    issued = {c.enrolment_id: c for c in Certificate.objects.unrestricted().filter(enrolment__in=enrolments)}
    rows = []
    for enrolment in enrolments:
        attended, held = teaching.attendance_of(enrolment)
        reason = ""
        if enrolment.pk not in issued:
            try:
                certificates.check_earned(enrolment)
            except Refused as exc:
                reason = exc.message
        rows.append((enrolment, attended, held, issued.get(enrolment.pk), reason))
    return member_page(request, "campus/teaching/my_certificates.html", {"rows": rows})


@login_required
@require_POST
def my_certificate_take(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    enrolment = Enrolment.objects.unrestricted().filter(pk=pk, retiree=me).first()
    if enrolment is None:
        raise Http404
    try:
        made = certificates.do_issue_certificate(by=request.user, enrolment=enrolment)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("campus:my_certificates")
    return redirect("campus:certificate_pdf", pk=made.pk)


# --- the public check of a certificate -------------------------------------------------------------------

VERIFY_LIMIT = 30  # checks one address may make in VERIFY_WINDOW seconds (the codes must not be guessable by trying)
VERIFY_WINDOW = 600


def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Anyone with a certificate's code sees whose it is and for which class (no sign-in)."""
    code = str(request.GET.get("code", ""))[:40]
    found: Certificate | None = None
    limited = False
    if code:
        address = str(request.META.get("REMOTE_ADDR", ""))
        if ratelimit.hit(f"campus:certificate-checks:{address}", VERIFY_WINDOW) > VERIFY_LIMIT:
            limited = True
        else:
            found = certificates.by_code(code)
    return member_page(
        request,
        "campus/teaching/verify.html",
        {
            "code": code,
            "certificate": found,
            "name": certificates.masked_name(found.enrolment.retiree.name) if found else "",
            "limited": limited,
        },
        status=429 if limited else 200,
    )

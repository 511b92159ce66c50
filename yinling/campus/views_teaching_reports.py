"""Staff pages of the teaching half: online lessons (add, remove), teacher hours and the course report,
each with an .xlsx download. Everything is read inside the viewer's subtree (restrict())."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.campus import reports
from yinling.campus.forms_teaching import LessonForm
from yinling.campus.models import Course, Lesson, Section, Term
from yinling.campus.services import teaching_lessons as lessons
from yinling.core import refusals
from yinling.core.exports import xlsx_response
from yinling.core.refusals import Refused
from yinling.core.scoping import get_scoped_or_404, has_anywhere, orgs_where


def _staff(request: HttpRequest, model: type = Section, action: str = "view") -> None:
    if getattr(request.user, "kind", "") == "retiree" or not has_anywhere(request.user, model, action):
        raise PermissionDenied


def _term(request: HttpRequest) -> Term | None:
    text = str(request.GET.get("term", ""))
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return reports.terms(request.user).filter(pk=int(text)).first()


# --- lessons ----------------------------------------------------------------------------------------------


def _courses_for_lessons(user: Any) -> Any:
    orgs = orgs_where(user, Lesson, "add")
    return Course.objects.restrict(user, "view").filter(school__org__in=orgs).order_by("name")


@login_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    _staff(request, Lesson)
    found = Lesson.objects.restrict(request.user, "view").select_related("course").order_by("course__name", "order")
    return render(
        request,
        "campus/teaching/lesson_list.html",
        {"lessons": list(found[:500]), "can_add": has_anywhere(request.user, Lesson, "add")},
    )


@login_required
def lesson_add(request: HttpRequest) -> HttpResponse:
    _staff(request, Lesson, "add")
    form = LessonForm(request.POST or None, request.FILES or None, courses=_courses_for_lessons(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lessons.do_add_lesson(
                by=request.user,
                course=data["course"],
                title=data["title"],
                video=data.get("video") or None,
                url=data.get("url") or "",
                minutes=data.get("minutes") or 0,
                open_to_all=bool(data.get("open_to_all")),
                order=data.get("order") or 0,
            )
        except Refused as exc:
            refusals.on_form(form, exc, "video" if exc.code == "invalid" and data.get("video") else None)
        else:
            messages.success(request, _("The lesson was added."))
            return redirect("campus:lesson_list")
    return render(request, "campus/teaching/lesson_form.html", {"form": form})


@login_required
@require_POST
def lesson_remove(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_scoped_or_404(Lesson, request.user, "change", pk=pk)
    lessons.do_remove_lesson(by=request.user, lesson=lesson)
    messages.success(request, _("The lesson was removed."))
    return redirect("campus:lesson_list")


# --- teacher hours ------------------------------------------------------------------------------------------


@login_required
def teacher_hours(request: HttpRequest) -> HttpResponse:
    _staff(request)
    term = _term(request)
    rows = reports.teacher_hours(request.user, term)
    return render(
        request,
        "campus/teaching/teacher_hours.html",
        {"rows": rows, "term": term, "terms": list(reports.terms(request.user).order_by("-starts")[:40])},
    )


@login_required
def teacher_hours_xlsx(request: HttpRequest) -> HttpResponseBase:
    _staff(request)
    term = _term(request)
    rows = reports.teacher_rows(reports.teacher_hours(request.user, term))
    return xlsx_response(
        "教师课时.xlsx",
        [str(h) for h in reports.TEACHER_HEADERS],
        rows,
        object_type="campus.teacher_hours",
        org_path=getattr(getattr(request.user, "org", None), "path", ""),
        filters={"term": term.pk if term else None},
        sheet_title="教师课时",
    )


# --- the course report --------------------------------------------------------------------------------------


@login_required
def course_report(request: HttpRequest) -> HttpResponse:
    _staff(request)
    term = _term(request)
    figures = reports.course_figures(request.user, term=term)
    return render(
        request,
        "campus/teaching/course_report.html",
        {
            "figures": figures,
            "term": term,
            "terms": list(reports.terms(request.user).order_by("-starts")[:40]),
            "headers": [str(h) for h in reports.COURSE_HEADERS],
        },
    )


@login_required
def course_report_xlsx(request: HttpRequest) -> HttpResponseBase:
    _staff(request)
    term = _term(request)
    return xlsx_response(
        "课程报名与出勤.xlsx",
        [str(h) for h in reports.COURSE_HEADERS],
        reports.course_rows(reports.course_figures(request.user, term=term)),
        object_type="campus.course_report",
        org_path=getattr(getattr(request.user, "org", None), "path", ""),
        filters={"term": term.pk if term else None},
        sheet_title="课程报名与出勤",
    )

"""Attendance pages: a teacher's classes today, a section's meetings (generate, cancel), the roll on a phone
(one tap a student, htmx), the rotating code on the teacher's phone, and the students' certificates.

A section's teacher (`teacher_account`, a staff member or a retiree) takes its attendance without a role;
staff with `campus.change_enrolment` at the site may too (policy.may_take_attendance). Anyone else who can
see the section gets 403; those who cannot, 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.campus import policy
from yinling.campus.models import Certificate, Enrolment, Meeting, Section
from yinling.campus.services import teaching
from yinling.campus.services import teaching_certificates as certificates
from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.pdf import render_pdf
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at, get_scoped_or_404, path_q, user_paths


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _attendance_section(request: HttpRequest, pk: int) -> Section:
    """The section, for its teacher or staff who take attendance; 403 for others who see it, 404 otherwise."""
    found = (
        Section.objects.unrestricted()
        .select_related("term", "site__org", "course")
        .filter(pk=pk, is_deleted=False)
        .first()
    )
    if found is not None and policy.may_take_attendance(request.user, found):
        return found
    get_scoped_or_404(Section, request.user, "view", pk=pk)
    raise PermissionDenied


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    found = Meeting.objects.unrestricted().filter(pk=pk).values_list("section_id", flat=True).first()
    if found is None:
        raise Http404
    section = _attendance_section(request, found)
    meeting = Meeting.objects.unrestricted().get(pk=pk)
    meeting.section = section
    return meeting


def taught_sections(user: Any) -> QuerySet[Section]:
    """Sections whose attendance the user takes: taught by them, or at sites where they change enrolments."""
    paths = user_paths(user, "campus.change_enrolment")
    mine = Q(teacher_account_id=user.pk)
    if paths:
        mine |= path_q("site__org__path", paths)
    return Section.objects.unrestricted().filter(mine, is_deleted=False)


def may_use_teaching(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and taught_sections(user).exists()


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """The teacher's phone: today's class meetings to take attendance at, and the next few days."""
    day = timezone.localdate()
    meetings = list(
        Meeting.objects.unrestricted()
        .filter(section__in=taught_sections(request.user), date__gte=day, is_cancelled=False)
        .select_related("section__course", "section__site")
        .order_by("date", "start")[:20]
    )
    # Every class of a term not yet ended whose attendance they take: where meetings are made and cancelled.
    classes = list(
        taught_sections(request.user)
        .filter(term__ends__gte=day, term__is_deleted=False)
        .select_related("course", "term", "site")
        .order_by("term__starts", "course__name", "pk")[:100]
    )
    context = {"meetings": meetings, "classes": classes, "today": day}
    return member_page(request, "campus/teaching/today.html", context)


@login_required
def section_meetings(request: HttpRequest, pk: int) -> HttpResponse:
    section = _attendance_section(request, pk)
    meetings = list(Meeting.objects.unrestricted().filter(section=section).order_by("date", "start"))
    return render(
        request,
        "campus/teaching/section_meetings.html",
        {
            "section": section,
            "meetings": meetings,
            "today": timezone.localdate(),
            "can_plan": can_at(request.user, Meeting, "add", section.site.org),
            "can_cancel": can_at(request.user, Meeting, "change", section.site.org),
        },
    )


@login_required
@require_POST
def section_generate(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_scoped_or_404(Section, request.user, "view", pk=pk)
    try:
        made = teaching.do_generate_meetings(by=request.user, section=section)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("%(n)s class meetings added.") % {"n": made})
    return redirect("campus:section_meetings", pk=pk)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped_or_404(Meeting, request.user, "view", pk=pk)
    try:
        teaching.do_cancel_meeting(by=request.user, meeting=meeting, reason=request.POST.get("reason", ""))
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The class meeting was cancelled."))
    return redirect("campus:section_meetings", pk=meeting.section_id)


def _roll_context(meeting: Meeting) -> dict[str, Any]:
    present = teaching.present_ids(meeting)
    rows = [(e, e.pk in present) for e in teaching.roll(meeting.section)]
    return {"meeting": meeting, "rows": rows, "present": len(present), "total": len(rows)}


@login_required
def meeting_roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The roll on the teacher's phone, in seat order; each name is one big button that toggles present."""
    meeting = _meeting(request, pk)
    return member_page(request, "campus/teaching/roll.html", _roll_context(meeting))


@login_required
@require_POST
def meeting_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: toggles one student's presence; htmx swaps in the button, without JS the page reloads."""
    meeting = _meeting(request, pk)
    enrolment_id = _int(request.POST.get("enrolment"))
    enrolment = (
        Enrolment.objects.unrestricted().select_related("retiree").filter(pk=enrolment_id).first()
        if enrolment_id
        else None
    )
    error = ""
    present = False
    if enrolment is None or enrolment.section_id != meeting.section_id:
        error = _("This person is not enrolled in this class.")
    else:
        try:
            present = teaching.do_toggle_presence(by=request.user, meeting=meeting, enrolment=enrolment)
        except Refused as exc:
            error = exc.message
            present = enrolment.pk in teaching.present_ids(meeting)
    if request.headers.get("HX-Request") and enrolment is not None and not error:
        return render(
            request,
            "campus/teaching/_mark.html",
            {"meeting": meeting, "enrolment": enrolment, "present": present},
        )
    if error:
        messages.error(request, error)
    return redirect("campus:meeting_roll", pk=pk)


@login_required
def meeting_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The teacher's phone shows the rotating code (and its QR code), refreshed by htmx."""
    meeting = _meeting(request, pk)
    code, valid_until = teaching.current_code(meeting)
    seconds_left = max(1, int((valid_until - timezone.now()).total_seconds()))
    context = {
        "meeting": meeting,
        "code": code,
        "qr": teaching.codes.qr_svg(code),
        "valid_until": valid_until,
        "seconds_left": seconds_left,
        "poll": min(seconds_left, 15),
    }
    if request.headers.get("HX-Request"):
        return render(request, "campus/teaching/_code_panel.html", context)
    return member_page(request, "campus/teaching/code.html", context)


# --- certificates (staff) ----------------------------------------------------------------------------------


@login_required
def section_students(request: HttpRequest, pk: int) -> HttpResponse:
    """The students of a class with their attendance and certificates; staff issue certificates here."""
    section = get_scoped_or_404(
        Section.objects.select_related("term", "site__org", "course"), request.user, "view", pk=pk
    )
    issued = {c.enrolment_id: c for c in Certificate.objects.unrestricted().filter(enrolment__section=section)}
    rows = []
    for enrolment in teaching.roll(section):
        attended, held = teaching.attendance_of(enrolment)
        rows.append((enrolment, attended, held, issued.get(enrolment.pk)))
    return render(
        request,
        "campus/teaching/section_students.html",
        {
            "section": section,
            "rows": rows,
            "ended": section.term.ends < timezone.localdate(),
            "can_issue": can_at(request.user, Certificate, "add", section.site.org),
            "min_share": int(certificates.min_attendance() * 100),
        },
    )


@login_required
@require_POST
def section_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_scoped_or_404(Section, request.user, "view", pk=pk)
    enrolment_id = _int(request.POST.get("enrolment"))
    enrolment = (
        Enrolment.objects.unrestricted().filter(pk=enrolment_id, section=section).first() if enrolment_id else None
    )
    if enrolment is None:
        messages.error(request, _("This person is not enrolled in this class."))
        return redirect("campus:section_students", pk=pk)
    try:
        made = certificates.do_issue_certificate(by=request.user, enrolment=enrolment)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Certificate %(code)s issued.") % {"code": made.code})
    return redirect("campus:section_students", pk=pk)


def _certificate_for(request: HttpRequest, pk: int) -> Certificate:
    """The student's own certificate, or one staff see in their area (404 otherwise)."""
    found = (
        Certificate.objects.unrestricted()
        .select_related(
            "enrolment__retiree__org", "enrolment__section__course", "enrolment__section__term__school__org"
        )
        .filter(pk=pk)
        .first()
    )
    if found is not None and certificates.is_own(request.user, found.enrolment):
        return found
    return get_scoped_or_404(  # type: ignore[no-any-return]
        Certificate.objects.select_related(
            "enrolment__retiree__org", "enrolment__section__course", "enrolment__section__term__school__org"
        ),
        request.user,
        "view",
        pk=pk,
    )


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = _certificate_for(request, pk)
    enrolment = certificate.enrolment
    school = enrolment.section.term.school
    return render_pdf(
        request,
        "campus/teaching/certificate_pdf.html",
        {
            "certificate": certificate,
            "retiree": enrolment.retiree,
            "section": enrolment.section,
            "term": enrolment.section.term,
            "verify_url": request.build_absolute_uri(reverse("campus:certificate_verify"))
            + f"?code={certificate.code}",
        },
        title=_("Certificate of completion"),
        filename=f"结业证书-{enrolment.retiree.name}-{certificate.code}.pdf",
        fallback_filename=f"campus-certificate-{certificate.code}.pdf",
        org=school.org,
        object_type="campus.certificate",
        extra={"retiree": enrolment.retiree_id},
        issued=certificate.issued_on,
    )

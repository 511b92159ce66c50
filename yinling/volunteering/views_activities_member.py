"""A volunteer's activity pages (phone first, elder mode): what is open to me, one activity with one clear
sign-up answer, my sign-ups, check-in with the organiser's code, check-out, my hours.

They are for a signed-in retiree acting for themselves; the services decide every rule and the
refusal's words, which the API gives too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.refusals import Refused
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.volunteering import hours, policy
from yinling.volunteering.forms_activities import CodeForm
from yinling.volunteering.models import Activity, Volunteer
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance
from yinling.volunteering.services import selectors_activities as selectors


def _me(request: HttpRequest) -> tuple[Retiree, Volunteer | None]:
    me = acting.retiree_of(request.user)
    if me is None:
        raise Http404  # staff: these are a volunteer's own pages
    return me, policy.volunteer_of(request.user)


def _not_volunteer(request: HttpRequest) -> HttpResponse:
    return member_page(request, "volunteering/member/activity_not_volunteer.html", {})


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    _person, me = _me(request)
    if me is None:
        return _not_volunteer(request)
    led = policy.led_team_ids(request.user)
    organising = (
        list(
            Activity.objects.unrestricted()
            .filter(team_id__in=led, is_deleted=False, is_cancelled=False)
            .order_by("-start")[:10]
        )
        if led
        else []
    )
    return member_page(
        request,
        "volunteering/member/activity_list.html",
        {
            "me": me,
            "activities": list(selectors.upcoming_for(me)[:50]),
            "organising": organising,
            "may_add": bool(led),
        },
    )


@login_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.viewable(request.user, pk)
    _person, me = _me(request)
    signup = selectors.signup_of(me, activity) if me else None
    present = selectors.attendance_of(me, activity) if me else None
    return member_page(
        request,
        "volunteering/member/activity_detail.html",
        {
            "activity": activity,
            "me": me,
            "signup": signup,
            "answer": svc.answer_for(signup) if signup else None,
            "attendance": present,
            "signups_open": svc.signups_open(activity),
            "organiser": policy.can_see_as_organiser(request.user, activity),
        },
    )


def _back(request: HttpRequest, activity: Activity) -> HttpResponse:
    """To the activity's page, or to the list when it is not one this person may see."""
    try:
        selectors.viewable(request.user, activity.pk)
    except Http404:
        return redirect("volunteering:activities")
    return redirect("volunteering:activity", activity.pk)


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.live_activity(pk)
    person, _me_volunteer = _me(request)
    try:
        answer = svc.do_signup(by=request.user, activity=activity, retiree=person, member=person)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        if answer.status == "waitlisted":
            messages.info(
                request,
                _("All places are taken. You are number %(n)s on the waitlist; you will be told when a place frees.")
                % {"n": answer.position},
            )
        else:
            messages.success(request, _("You are signed up."))
    return _back(request, activity)


@login_required
@require_POST
def activity_cancel_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.live_activity(pk)
    person, _me_volunteer = _me(request)
    try:
        svc.do_cancel_signup(by=request.user, activity=activity, retiree=person, member=person)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return _back(request, activity)


@login_required
def activity_mine(request: HttpRequest) -> HttpResponse:
    _person, me = _me(request)
    if me is None:
        return _not_volunteer(request)
    rows = [(s, svc.answer_for(s)) for s in selectors.signups_of(me)]
    return member_page(request, "volunteering/member/activity_mine.html", {"rows": rows})


def _device(request: HttpRequest) -> str:
    return attendance.device_hash(
        request.COOKIES.get("yl_device", ""),
        request.META.get("HTTP_USER_AGENT", ""),
        str(request.META.get("REMOTE_ADDR", "")),
    )


@login_required
def activity_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.live_activity(pk)
    _person, me = _me(request)
    if me is None:
        return _not_volunteer(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendance.do_checkin(
                by=request.user, activity=activity, code=form.cleaned_data["code"], device=_device(request)
            )
        except Refused as exc:
            refusals.on_form(form, exc, "code")
        else:
            messages.success(request, _("You are checked in. Remember to check out when you leave."))
            return redirect("volunteering:activity_checkin", activity.pk)
    present = selectors.attendance_of(me, activity)
    return member_page(
        request,
        "volunteering/member/checkin.html",
        {"activity": activity, "form": form, "attendance": present},
    )


@login_required
@require_POST
def activity_checkout(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.live_activity(pk)
    _me(request)
    try:
        done = attendance.do_checkout(by=request.user, activity=activity)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("volunteering:activity_checkin", activity.pk)
    messages.success(request, _("Checked out. %(h)s hours credited. Thank you!") % {"h": done.credited_hours})
    return redirect("volunteering:activity_hours")


@login_required
def activity_hours(request: HttpRequest) -> HttpResponse:
    _person, me = _me(request)
    if me is None:
        return _not_volunteer(request)
    return member_page(
        request,
        "volunteering/member/activity_hours.html",
        {
            "me": me,
            "rows": list(selectors.attendances_of(me)[:100]),
            "barred": hours.is_barred(me),
            "next_star": next((t for s, t in reversed(hours.STAR_THRESHOLDS) if me.credited_hours < t), None),
        },
    )

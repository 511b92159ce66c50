"""The organiser's pages: staff (by scope) and team leaders (by their team).

The list is the generic ObjectListView (staff only: filter, table, export); the rest are small function
views that find the activity through selectors.organised() (404 outside scope, 403 without the right) and
call a do_* service; refusals go on the form or in a flash message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import has_anywhere
from yinling.core.views import ObjectListView
from yinling.orgs.models import Org
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.volunteering import codes, policy
from yinling.volunteering.filters_activities import ActivityFilterSet
from yinling.volunteering.forms_activities import ActivityForm, BarForm, CancelForm, HonourForm, ResolveFlagForm
from yinling.volunteering.models import Activity, Flag, HonourHours, Team, Volunteer
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance
from yinling.volunteering.services import selectors_activities as selectors
from yinling.volunteering.tables_activities import ActivityTable


class ActivityListView(ObjectListView):
    model = Activity
    filterset_class = ActivityFilterSet
    table_class = ActivityTable
    title = gettext_lazy("Volunteer activities")
    add_url_name = "volunteering:activity_add"
    export_columns = [  # Chinese headings, as the time bank's exports
        ("编号", "pk"),
        ("活动名称", "title"),
        ("组织单位", "org.name"),
        ("类别", "get_kind_display"),
        ("地点", "place"),
        ("开始", "start"),
        ("结束", "end"),
        ("名额", "capacity"),
        ("已报名", "signed_up"),
        ("已取消", "is_cancelled"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("org")


def _crumbs(*tail: tuple[Any, str], activity: Activity | None = None) -> list[tuple[Any, str]]:
    """The trail of an organiser's page: the activities list, the activity, then the page itself."""
    crumbs: list[tuple[Any, str]] = [(ActivityListView.title, reverse("volunteering:activity_staff_list"))]
    if activity is not None:
        crumbs.append((activity.title, reverse("volunteering:activity_manage", args=[activity.pk])))
    return crumbs + list(tail)


def _choices(user: Any, activity: Activity | None = None) -> tuple[QuerySet[Org], QuerySet[Team]]:
    orgs, teams = selectors.organiser_choices(user)
    if activity is not None:
        orgs = Org.objects.unrestricted().filter(pk=activity.org_id)
    return orgs, teams


@login_required
def activity_add(request: HttpRequest) -> HttpResponse:
    if not selectors.may_add(request.user):
        raise PermissionDenied
    orgs, teams = _choices(request.user)
    form = ActivityForm(request.POST or None, orgs=orgs, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            activity = svc.do_create_activity(by=request.user, org=form.cleaned_data["org"], **form.service_values())
        except Refused as exc:
            refusals.on_form(form, exc)
        except PermissionDenied:
            form.add_error("team", _("You can only add activities of your own team, at its org."))
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": activity})
            return redirect("volunteering:activity_manage", activity.pk)
    return render(
        request,
        "volunteering/activity_form.html",
        {"form": form, "title": _("New activity"), "breadcrumbs": _crumbs((_("New activity"), ""))},
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.organised(request.user, pk, "manage")
    orgs, teams = _choices(request.user, activity)
    form = ActivityForm(request.POST or None, instance=activity, orgs=orgs, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            svc.do_update_activity(by=request.user, activity=activity, **form.service_values())
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": activity})
            return redirect("volunteering:activity_manage", activity.pk)
    return render(
        request,
        "volunteering/activity_form.html",
        {
            "form": form,
            "title": _("Edit the activity"),
            "activity": activity,
            "breadcrumbs": _crumbs((_("Edit"), ""), activity=activity),
        },
    )


@login_required
def activity_manage(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.organised(request.user, pk, "view")
    user = request.user
    return render(
        request,
        "volunteering/activity_manage.html",
        {
            "activity": activity,
            "signed": selectors.signed_up(activity),
            "waiting": selectors.waitlist(activity),
            "attendances": selectors.attendances(activity),
            "flags": selectors.open_flags(activity),
            "can_manage": policy.can_manage(user, activity),
            "can_code": policy.can_show_code(user, activity),
            "can_checkin": policy.can_checkin_others(user, activity),
            "cancel_form": CancelForm(),
            "breadcrumbs": _crumbs((activity.title, "")),
        },
    )


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.organised(request.user, pk, "manage")
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    svc.do_cancel_activity(by=request.user, activity=activity, reason=reason)
    messages.success(request, _("The activity was cancelled; those signed up are told."))
    return redirect("volunteering:activity_manage", activity.pk)


@login_required
def activity_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's phone: the big code and its QR code, refreshed by htmx (or by reloading without JS)."""
    activity = selectors.organised(request.user, pk, "code")
    code, valid_until = codes.current(activity.code_secret)
    seconds_left = max(1, int((valid_until - timezone.now()).total_seconds()))
    context = {
        "activity": activity,
        "code": code,
        "qr": codes.qr_svg(code),
        "valid_until": valid_until,
        "seconds_left": seconds_left,
        "poll": min(seconds_left, 15),
        "breadcrumbs": _crumbs((_("Check-in code"), ""), activity=activity),
    }
    if request.headers.get("HX-Request"):
        return render(request, "volunteering/activity_code_panel.html", context)
    return render(request, "volunteering/activity_code.html", context)


@login_required
def activity_leader_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader checks in (and out) those without phones, from the list of those signed up."""
    activity = selectors.organised(request.user, pk, "checkin")
    if request.method == "POST":
        volunteer = _volunteer_named(request.POST.get("volunteer"))
        if volunteer is None:
            messages.error(request, _("Volunteer: choose one of those listed."))
            return redirect("volunteering:activity_leader_checkin", activity.pk)
        try:
            if request.POST.get("op") == "out":
                done = attendance.do_leader_checkout(by=request.user, activity=activity, volunteer=volunteer)
                messages.success(
                    request,
                    _("%(name)s checked out: %(h)s hours.")
                    % {"name": volunteer.retiree.name, "h": done.credited_hours},
                )
            else:
                attendance.do_leader_checkin(by=request.user, activity=activity, volunteer=volunteer)
                messages.success(request, _("%(name)s checked in.") % {"name": volunteer.retiree.name})
        except Refused as exc:
            refusals.flash(request, exc)
        return redirect("volunteering:activity_leader_checkin", activity.pk)
    present = {a.volunteer_id: a for a in selectors.attendances(activity)}
    rows = [(s.volunteer, present.get(s.volunteer_id)) for s in selectors.signed_up(activity)]
    listed = {v.pk for v, _a in rows}
    rows += [(a.volunteer, a) for vid, a in present.items() if vid not in listed]
    return render(
        request,
        "volunteering/activity_leader_checkin.html",
        {
            "activity": activity,
            "rows": rows,
            "breadcrumbs": _crumbs((_("Check people in"), ""), activity=activity),
        },
    )


def _volunteer_named(value: Any) -> Volunteer | None:
    """The volunteer a leader's form names, or None for junk and ids that do not exist (one answer for both)."""
    pk = acting.as_id(value)
    if pk is None:
        return None
    # The service checks the leader's right on the activity and the person's sign-up.
    return Volunteer.objects.unrestricted().select_related("retiree__org").filter(pk=pk).first()


@login_required
def activity_flags(request: HttpRequest) -> HttpResponse:
    led = policy.led_team_ids(request.user)
    if not led and not has_anywhere(request.user, Flag, "change"):
        raise PermissionDenied
    flags = list(selectors.flags_for(request.user, led)[:200])
    return render(
        request,
        "volunteering/activity_flags.html",
        {
            "flags": flags,
            "form": ResolveFlagForm(),
            "can_bar": has_anywhere(request.user, Volunteer, "bar"),
            "breadcrumbs": _crumbs((_("Check-in flags"), "")),
        },
    )


@login_required
@require_POST
def activity_flag_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.flag_to_resolve(request.user, pk)
    form = ResolveFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the flag."))
        return redirect("volunteering:activity_flags")
    try:
        attendance.do_resolve_flag(
            by=request.user,
            flag=flag,
            decision=form.cleaned_data["decision"],
            hours_left=form.cleaned_data.get("hours_left"),
            note=form.cleaned_data.get("note") or "",
            bar_years=form.cleaned_data.get("bar_years") or 1,
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The flag was resolved."))
    return redirect("volunteering:activity_flags")


def _volunteers_for(user: Any, perm: str) -> QuerySet[Retiree]:
    return Retiree.objects.restrict(user, perm=perm).filter(volunteer__isnull=False).select_related("org")


@login_required
def activity_honour(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, HonourHours, "add"):
        raise PermissionDenied
    form = HonourForm(request.POST or None, people=_volunteers_for(request.user, "volunteering.add_honourhours"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = None
        if data.get("activity"):
            activity = Activity.objects.restrict(request.user, "view").filter(pk=data["activity"]).first()
            if activity is None:
                form.add_error("activity", _("No such activity in your area."))
        if not form.errors:
            volunteer = Volunteer.objects.unrestricted().select_related("retiree__org").get(retiree=data["person"])
            try:
                attendance.do_add_honour_hours(
                    by=request.user,
                    volunteer=volunteer,
                    hours_added=data["hours_added"],
                    reason=data["reason"],
                    served_on=data["served_on"],
                    activity=activity,
                )
            except Refused as exc:
                refusals.on_form(form, exc)
            else:
                messages.success(request, _("Honour hours added."))
                return redirect("volunteering:activity_honour")
    return render(
        request,
        "volunteering/activity_honour.html",
        {"form": form, "title": _("Add honour hours"), "breadcrumbs": _crumbs((_("Add honour hours"), ""))},
    )


@login_required
def activity_bar(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, Volunteer, "bar"):
        raise PermissionDenied
    form = BarForm(request.POST or None, people=_volunteers_for(request.user, "volunteering.bar_volunteer"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        volunteer = Volunteer.objects.unrestricted().select_related("retiree__org").get(retiree=data["person"])
        try:
            attendance.do_bar_volunteer(
                by=request.user, volunteer=volunteer, years=data["years"], reason=data["reason"]
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The volunteer is barred from stars and honours."))
            return redirect("volunteering:activity_bar")
    return render(
        request,
        "volunteering/activity_honour.html",
        {"form": form, "title": _("Bar a volunteer"), "breadcrumbs": _crumbs((_("Bar a volunteer"), ""))},
    )

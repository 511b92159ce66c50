"""The staff desk for volunteers and teams: generic list/detail/edit views and small action views.

People show masked as in the registry's list (birth year, masked phone, never an ID number)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can, can_at, get_scoped_or_404, has_anywhere
from yinling.core.views import ObjectEditView, ObjectListView
from yinling.volunteering.filters_people import TeamFilterSet, VolunteerFilterSet
from yinling.volunteering.forms_people import MemberAddForm, ProfileForm, RoleForm, StaffRegisterForm, TeamForm
from yinling.volunteering.models import Certificate, Membership, Skill, Team, Volunteer
from yinling.volunteering.services import recognition, selectors, teams, volunteers
from yinling.volunteering.tables_people import TeamTable, VolunteerTable


def trail(*items: tuple[Any, str]) -> list[tuple[str, str]]:
    """A breadcrumb trail after Home: (label, url) pairs, the current page last with an empty url."""
    return [(str(label), url) for label, url in items]


def volunteers_crumb() -> tuple[Any, str]:
    return gettext_lazy("Volunteers"), reverse("volunteering:volunteers")


def teams_crumb() -> tuple[Any, str]:
    return gettext_lazy("Volunteer teams"), reverse("volunteering:teams")


class VolunteerListView(ObjectListView):
    model = Volunteer
    table_class = VolunteerTable
    filterset_class = VolunteerFilterSet
    title = gettext_lazy("Volunteers")
    add_url_name = "volunteering:volunteer_add"
    # Chinese headings: exports are documents exchanged between bureaus. Never the ID number.
    export_columns = [
        ("姓名", "retiree.name"),
        ("性别", "retiree.get_gender_display"),
        ("出生年份", "retiree.birth_date.year"),
        ("管理单位", "retiree.org.name"),
        ("联系电话", "retiree.phone_masked"),
        ("技能", "skills"),
        ("特长", "specialities"),
        ("服务时间", "availability"),
        ("服务区域", "service_areas"),
        ("保险", "get_insurance_display"),
        ("保险到期", "insurance_expires"),
        ("银雁返乡", "returning_talent"),
        ("家乡村", "home_village"),
        ("服务时长", "credited_hours"),
        ("荣誉时长", "honour_hours"),
        ("星级", "stars"),
    ]

    def get_queryset(self) -> QuerySet[Volunteer]:
        return super().get_queryset().select_related("retiree__org").order_by("retiree__name_pinyin", "id")

    def export_queryset(self) -> QuerySet[Any]:
        return super().export_queryset().select_related("retiree__org")


def _volunteer_detail_context(request: HttpRequest, volunteer: Volunteer) -> dict[str, Any]:
    from yinling.registry.services import masked

    return {
        "volunteer": volunteer,
        "person": masked(volunteer.retiree),
        "memberships": list(selectors.memberships_of(volunteer)),
        "certificates": list(
            Certificate.objects.restrict(request.user, "view").filter(volunteer=volunteer).order_by("-issued_at")
        ),
        "can_change": can(request.user, "change", volunteer) and volunteer.is_active,
        "can_certify": has_anywhere(request.user, Certificate, "add") and volunteer.is_active,
        "barred": recognition.barred(volunteer),
        "stars_text": "★" * volunteer.stars,
        "skills": "、".join(str(dict(Skill.choices).get(s, s)) for s in volunteer.skill_list),
        "breadcrumbs": trail(volunteers_crumb(), (volunteer.retiree.name, "")),
    }


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_scoped_or_404(Volunteer.objects.select_related("retiree__org"), request.user, "view", pk=pk)
    return render(request, "volunteering/volunteer_detail.html", _volunteer_detail_context(request, volunteer))


@login_required
def volunteer_add(request: HttpRequest) -> HttpResponse:
    """Staff register a retiree of their area, chosen with the search picker."""
    if not has_anywhere(request.user, Volunteer, "add"):
        raise PermissionDenied
    form = StaffRegisterForm(request.POST or None, people=selectors.registrable_people(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = volunteers.do_register_volunteer(
                by=request.user, retiree=form.cleaned_data["retiree"], **form.values()
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("%(name)s is now a registered volunteer.") % {"name": volunteer.retiree.name})
            return redirect("volunteering:volunteer", pk=volunteer.pk)
    return render(
        request,
        "volunteering/staff_form.html",
        {
            "form": form,
            "title": _("Register a volunteer"),
            "cancel_url": reverse("volunteering:volunteers"),
            "breadcrumbs": trail(volunteers_crumb(), (_("Register a volunteer"), "")),
        },
    )


@login_required
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_scoped_or_404(Volunteer.objects.select_related("retiree__org"), request.user, "change", pk=pk)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(volunteer))
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.do_update_volunteer(by=request.user, volunteer=volunteer, **form.values())
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": volunteer})
            return redirect("volunteering:volunteer", pk=volunteer.pk)
    return render(
        request,
        "volunteering/staff_form.html",
        {
            "form": form,
            "title": volunteer.retiree.name,
            "cancel_url": reverse("volunteering:volunteer", args=[pk]),
            "breadcrumbs": trail(
                volunteers_crumb(),
                (volunteer.retiree.name, reverse("volunteering:volunteer", args=[pk])),
                (_("Edit"), ""),
            ),
        },
    )


@login_required
@require_POST
def volunteer_withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    volunteer = get_scoped_or_404(Volunteer, request.user, "change", pk=pk)
    try:
        volunteers.do_withdraw(by=request.user, volunteer=volunteer)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The volunteer was withdrawn; the record and hours are kept."))
    return redirect("volunteering:volunteer", pk=pk)


@login_required
@require_POST
def volunteer_certificate(request: HttpRequest, pk: int) -> HttpResponseBase:
    volunteer = get_scoped_or_404(Volunteer.objects.select_related("retiree__org"), request.user, "view", pk=pk)
    try:
        certificate = recognition.do_issue_certificate(by=request.user, volunteer=volunteer)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("volunteering:volunteer", pk=pk)
    messages.success(request, _("Certificate %(code)s issued.") % {"code": certificate.code})
    return redirect("volunteering:certificate", pk=certificate.pk)


# --- teams -----------------------------------------------------------------------------------------


class TeamListView(ObjectListView):
    model = Team
    table_class = TeamTable
    filterset_class = TeamFilterSet
    title = gettext_lazy("Volunteer teams")
    add_url_name = "volunteering:team_add"
    export_columns = [
        ("名称", "name"),
        ("类型", "get_kind_display"),
        ("所属单位", "org.name"),
        ("上级队伍", "parent.name"),
        ("简介", "description"),
    ]

    def get_queryset(self) -> QuerySet[Team]:
        return (
            super()
            .get_queryset()
            .select_related("org", "parent")
            .annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)))
            .order_by("org__path", "name")
        )


class EditView(ObjectEditView):
    """The generic edit view (models without an absolute URL get their cancel link from cancel_url())."""


class TeamEditView(EditView):
    model = Team
    form_class = TeamForm
    template_name = "volunteering/staff_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form: BaseModelForm) -> HttpResponse:
        data = form.cleaned_data
        team = self.object if isinstance(self.object, Team) else Team()
        try:
            saved = teams.do_save_team(
                by=self.request.user,
                team=team,
                org=data["org"],
                parent=data.get("parent"),
                name=data["name"],
                kind=data["kind"],
                description=data.get("description", ""),
            )
        except Refused as exc:
            refusals.on_form(form, exc, "parent" if exc.code == "nesting" else None)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved “%(obj)s”.") % {"obj": saved})
        return HttpResponseRedirect(reverse("volunteering:team", args=[saved.pk]))

    def cancel_url(self) -> str:
        return reverse("volunteering:team", args=[self.object.pk]) if self.object else reverse("volunteering:teams")

    def breadcrumbs(self) -> list[tuple[str, str]]:
        if self.object is None:
            return trail(teams_crumb(), (_("Add a volunteer team"), ""))
        return trail(teams_crumb(), (str(self.object), self.cancel_url()), (_("Edit"), ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = str(self.object) if self.object else _("Add a volunteer team")
        return ctx


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_scoped_or_404(Team.objects.select_related("org", "parent"), request.user, "view", pk=pk)
    may_manage = can(request.user, "add", Membership(team=team))
    add_form = None
    if may_manage:
        add_form = MemberAddForm(
            people=selectors.volunteer_people(request.user, "volunteering.add_membership"), auto_id="add-%s"
        )
    children = Team.objects.restrict(request.user, "view").filter(parent=team).order_by("name")
    return render(
        request,
        "volunteering/team_detail.html",
        {
            "team": team,
            "members": list(selectors.team_members(team)),
            "requests": list(selectors.pending_requests(team)),
            "children": list(children),
            "can_change": can(request.user, "change", team),
            "can_delete": can(request.user, "delete", team),
            "can_decide": can(request.user, "change", Membership(team=team)),
            "add_form": add_form,
            "role_choices": Membership.Role.choices,
            "breadcrumbs": trail(teams_crumb(), (team.name, "")),
        },
    )


@login_required
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    team = get_scoped_or_404(Team, request.user, "delete", pk=pk)
    try:
        teams.do_delete_team(by=request.user, team=team)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("volunteering:team", pk=pk)
    messages.success(request, _("Deleted “%(obj)s”.") % {"obj": team})
    return redirect("volunteering:teams")


@login_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    team = get_scoped_or_404(Team, request.user, "view", pk=pk)
    if not can_at(request.user, Membership, "add", team.org):
        raise PermissionDenied  # before the form is read: a role that only views gets 403, not a message
    form = MemberAddForm(request.POST, people=selectors.volunteer_people(request.user, "volunteering.add_membership"))
    if not form.is_valid() or form.cleaned_data.get("volunteer") is None:
        messages.error(request, _("Choose a volunteer of your area."))
        return redirect("volunteering:team", pk=pk)
    try:
        teams.do_add_member(
            by=request.user, team=team, volunteer=form.cleaned_data["volunteer"], role=form.cleaned_data["role"]
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Added to the team."))
    return redirect("volunteering:team", pk=pk)


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int) -> HttpResponseBase:
    membership = get_scoped_or_404(Membership, request.user, "change", pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            teams.do_set_role(by=request.user, membership=membership, role=form.cleaned_data["role"])
        except Refused as exc:
            refusals.flash(request, exc)
        else:
            messages.success(request, _("The role was changed."))
    else:
        messages.error(request, _("Role: choose member, deputy or leader."))
    return redirect("volunteering:team", pk=membership.team_id)


def object_url(obj: models.Model) -> str:
    return reverse(f"volunteering:{obj._meta.model_name}", args=[obj.pk])

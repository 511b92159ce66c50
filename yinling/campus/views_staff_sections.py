"""The registrars' desk, part 3: sections (classes), their roster and the roster's actions.

The section page shows the seats (capacity, taken, left) and the roster in seat order: enrolled, offered
(with the deadline), the waitlist in order with positions, and lottery applications with their rank.
Registrars record fees, withdraw a student on their behalf and enrol a retiree on their behalf (代办)
with the registry's picker; every action posts to its own URL, which finds the section in the user's
scope (404 outside) and checks the right at the section's site (403) before reading the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.campus import policy
from yinling.campus.filters import SectionFilterSet
from yinling.campus.forms import EnrolForm, FeeForm, SectionForm
from yinling.campus.forms_slots import format_slots
from yinling.campus.models import LIVE, Course, Enrolment, Section, Site, Term
from yinling.campus.services import catalogue, enrol, offers
from yinling.campus.tables import SectionTable
from yinling.campus.views_staff import DeskEditView
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can, can_at, get_scoped_or_404, orgs_where
from yinling.core.views import ObjectListView
from yinling.registry.models import Retiree


class SectionListView(ObjectListView):
    model = Section
    table_class = SectionTable
    filterset_class = SectionFilterSet
    title = gettext_lazy("Classes")
    add_url_name = "campus:section_add"
    export_columns = [
        ("编号", "pk"),
        ("课程", "course.name"),
        ("班级", "name"),
        ("学期", "term.name"),
        ("教学点", "site.name"),
        ("教师", "teacher"),
        ("教室", "room"),
        ("名额", "capacity"),
        ("已占", "taken"),
        ("剩余", "seats_left"),
        ("学费（元）", "fee"),
    ]

    def get_queryset(self) -> QuerySet[Section]:
        return super().get_queryset().select_related("course", "term", "site").prefetch_related("slots")

    def export_queryset(self) -> QuerySet[Any]:
        return super().export_queryset().select_related("course", "term", "site")


class SectionEditView(DeskEditView):
    model = Section
    form_class = SectionForm
    detail_url_name = "campus:section_detail"
    list_url_name = "campus:section_list"
    org_fields = ()

    def get_lookup_queryset(self) -> QuerySet[Section]:
        return Section.objects.select_related("site__org", "term", "course")

    def form_extra(self) -> dict[str, Any]:
        user = self.request.user
        if self.object is not None:
            return {"slots_editable": not catalogue.holds_places(self.object)}  # type: ignore[arg-type]
        return {
            "terms": Term.objects.restrict(user, "view").order_by("-starts"),
            "courses": Course.objects.restrict(user, "view"),
            "sites": Site.objects.restrict(user, "view").filter(org__in=orgs_where(user, Section, "add")),
        }

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if self.object is not None:
            initial["slots"] = format_slots(self.object.slots.all())  # type: ignore[attr-defined]
        return initial

    def save(self, form: BaseModelForm) -> Section:
        assert isinstance(form, SectionForm)
        data = form.cleaned_data
        by = self.request.user
        if self.object is None:
            values = form.values()
            return catalogue.do_create_section(
                by=by,
                course=data["course"],
                term=data["term"],
                site=data["site"],
                capacity=values.pop("capacity"),
                slots=data["slots"],
                **values,
            )
        section = self.object
        assert isinstance(section, Section)
        if not form.fields["slots"].disabled and data.get("slots"):
            catalogue.do_replace_slots(by=by, section=section, slots=data["slots"])
        return catalogue.do_update_section(by=by, section=section, **form.values())


def _scoped_section(request: HttpRequest, pk: Any) -> Section:
    qs = Section.objects.select_related("course", "term__school", "site__org")
    return get_scoped_or_404(qs, request.user, "view", pk=pk)  # type: ignore[no-any-return]


def roster(user: Any, section: Section) -> dict[str, list[Any]]:
    """The live requests of a section in seat order, the waitlist numbered as its members are told."""
    rows = list(
        Enrolment.objects.restrict(user, "view")
        .filter(section=section, status__in=LIVE)
        .select_related("retiree")
        .order_by("queue", "pk")
    )

    def of(status: str) -> list[Enrolment]:
        return [e for e in rows if e.status == status]

    return {
        "enrolled": sorted(of(Enrolment.Status.ENROLLED), key=lambda e: (e.created_at, e.pk)),
        "offered": sorted(of(Enrolment.Status.OFFERED), key=lambda e: (e.offered_until or e.changed_at, e.pk)),
        "waitlist": list(enumerate(of(Enrolment.Status.WAITLISTED), start=1)),
        "applied": sorted(of(Enrolment.Status.APPLIED), key=lambda e: (e.rank or 99, e.created_at)),
    }


@login_required
def section_detail(request: HttpRequest, pk: int) -> HttpResponse:
    section = _scoped_section(request, pk)
    user = request.user
    may_change = can_at(user, Enrolment, "change", section.site.org)
    may_enrol = policy.may_enrol_for_others(user, section)
    people = roster(user, section)
    enrolled = people["enrolled"]
    return render(
        request,
        "campus/staff/section_detail.html",
        {
            "section": section,
            "slots": format_slots(section.slots.all()),
            "roster": people,
            "fees_due": sum(section.fee for e in enrolled if e.fee_paid_on is None) if section.fee else 0,
            "fees_paid": sum(section.fee for e in enrolled if e.fee_paid_on is not None) if section.fee else 0,
            "can_edit": can(user, "change", section),
            "can_change": may_change,
            "can_enrol": may_enrol,
            "enrol_form": EnrolForm(people=Retiree.objects.none()) if may_enrol else None,
            "fee_form": FeeForm() if may_change else None,
            "breadcrumbs": [
                (str(SectionListView.title), reverse("campus:section_list")),
                (str(section), ""),
            ],
        },
    )


def _for_action(request: HttpRequest, pk: Any, model_action: str) -> Section:
    """The section an action posts to: 404 outside scope, 403 without the right at its site."""
    section = _scoped_section(request, pk)
    if model_action == "enrol":
        allowed = policy.may_enrol_for_others(request.user, section)
    else:
        allowed = can_at(request.user, Enrolment, "change", section.site.org)
    if not allowed:
        raise PermissionDenied
    return section


def _live_enrolment(request: HttpRequest, section: Section, epk: Any) -> Enrolment:
    found = (
        Enrolment.objects.restrict(request.user, "change")
        .filter(section=section, pk=epk)
        .select_related("retiree", "section__site__org", "section__term")
        .first()
    )
    if found is None:
        raise Http404
    return found


def enrolment_people(user: Any) -> QuerySet[Retiree]:
    """Whom a registrar may name: live records where they may add enrolments. Not only those on register:
    the service refuses the others with why (`not_eligible`), as the API does, rather than a picker error."""
    return Retiree.objects.restrict(user, perm="campus.add_enrolment").select_related("org")


def answer_text(answer: enrol.Answer, name: str) -> str:
    if answer.status == "waitlisted":
        return _("%(name)s is on the waitlist, number %(n)s.") % {"name": name, "n": answer.position}
    if answer.status == "applied":
        return _("%(name)s has applied; the lottery decides after the window closes.") % {"name": name}
    return _("%(name)s is enrolled.") % {"name": name}


@login_required
@require_POST
def section_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    section = _for_action(request, pk, "enrol")
    form = EnrolForm(request.POST, people=enrolment_people(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("campus:section_detail", pk=section.pk)
    retiree = form.cleaned_data["retiree"]
    try:
        answer = enrol.do_enrol(by=request.user, section=section, retiree=retiree, on_behalf=True)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, answer_text(answer, retiree.name))
    return redirect("campus:section_detail", pk=section.pk)


@login_required
@require_POST
def section_fee(request: HttpRequest, pk: int, epk: int) -> HttpResponse:
    section = _for_action(request, pk, "change")
    enrolment = _live_enrolment(request, section, epk)
    form = FeeForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("paid_on", []):
            messages.error(request, str(error))
        return redirect("campus:section_detail", pk=section.pk)
    try:
        offers.do_record_fee(by=request.user, enrolment=enrolment, paid_on=form.cleaned_data["paid_on"])
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The fee of %(name)s is recorded as paid.") % {"name": enrolment.retiree.name})
    return redirect("campus:section_detail", pk=section.pk)


@login_required
@require_POST
def section_withdraw(request: HttpRequest, pk: int, epk: int) -> HttpResponse:
    section = _for_action(request, pk, "change")
    enrolment = _live_enrolment(request, section, epk)
    try:
        with transaction.atomic():
            enrol.do_withdraw(by=request.user, section=section, retiree=enrolment.retiree, on_behalf=True)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("%(name)s is withdrawn from the class.") % {"name": enrolment.retiree.name})
    return redirect("campus:section_detail", pk=section.pk)

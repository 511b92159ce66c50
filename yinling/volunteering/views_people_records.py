"""Staff pages for 五老 pairings, certificates, stories to review, nominations and the 十百千万 targets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.pdf import render_pdf
from yinling.core.refusals import Refused
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere
from yinling.core.views import ObjectListView
from yinling.volunteering import policy_people as policy
from yinling.volunteering.filters_people import (
    CertificateFilterSet,
    NominationFilterSet,
    PairingFilterSet,
    StoryFilterSet,
    TargetFilterSet,
)
from yinling.volunteering.forms_people import NominationForm, NoteForm, PairingForm, TargetForm, VisitForm
from yinling.volunteering.models import Certificate, Nomination, Pairing, Story, Target, Team
from yinling.volunteering.services import recognition, selectors, teams
from yinling.volunteering.services.teams import mask_name
from yinling.volunteering.tables_people import (
    CertificateTable,
    NominationTable,
    PairingTable,
    StoryTable,
    TargetTable,
)
from yinling.volunteering.views_people_staff import EditView, trail


def crumb(label: Any, url_name: str) -> tuple[Any, str]:
    return label, reverse(f"volunteering:{url_name}")


# --- pairings --------------------------------------------------------------------------------------


class PairingListView(ObjectListView):
    model = Pairing
    table_class = PairingTable
    filterset_class = PairingFilterSet
    title = gettext_lazy("五老 pairings")
    add_url_name = "volunteering:pairing_add"

    def get_queryset(self) -> QuerySet[Pairing]:
        return super().get_queryset().select_related("team", "volunteer__retiree").order_by("-since", "id")


def _pairing_form(request: HttpRequest, data: Any = None, initial: Any = None) -> PairingForm:
    return PairingForm(
        data,
        initial=initial,
        teams=Team.objects.restrict(request.user, "view").filter(kind=Team.Kind.WULAO),
        people=selectors.volunteer_people(request.user, "volunteering.add_pairing"),
    )


@login_required
def pairing_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    pairing = get_scoped_or_404(Pairing, request.user, "change", pk=pk) if pk is not None else Pairing()
    if pk is None and not has_anywhere(request.user, Pairing, "add"):
        raise PermissionDenied
    initial = None
    if pk is not None:
        initial = {
            "team": pairing.team_id,
            "volunteer": pairing.volunteer.retiree_id,
            "minor_name": pairing.minor_name,
            "village": pairing.village,
            "since": pairing.since,
            "ended_on": pairing.ended_on,
        }
    form = _pairing_form(request, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = teams.do_save_pairing(by=request.user, pairing=pairing, **form.cleaned_data)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The pairing was saved."))
            return redirect("volunteering:pairing", pk=saved.pk)
    return render(
        request,
        "volunteering/staff_form.html",
        {
            "form": form,
            "title": _("五老 pairing"),
            "cancel_url": reverse("volunteering:pairings"),
            "breadcrumbs": trail(
                crumb(_("五老 pairings"), "pairings"),
                *(
                    [(str(pairing), reverse("volunteering:pairing", args=[pairing.pk])), (_("Edit"), "")]
                    if pairing.pk
                    else [(_("Add"), "")]
                ),
            ),
        },
    )


@login_required
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_scoped_or_404(
        Pairing.objects.select_related("team__org", "volunteer__retiree"), request.user, "view", pk=pk
    )
    shown = pairing.minor_name if policy.sees_minor_name(request.user, pairing) else pairing.minor_masked
    return render(
        request,
        "volunteering/pairing_detail.html",
        {
            "pairing": pairing,
            "minor": shown or mask_name(""),
            "visits": list(pairing.visits.all()[:50]),
            "can_change": can(request.user, "change", pairing),
            "visit_form": VisitForm(initial={"visited_on": timezone.localdate()}),
            "breadcrumbs": trail(crumb(_("五老 pairings"), "pairings"), (f"{pairing.volunteer} → {shown}", "")),
        },
    )


@login_required
@require_POST
def pairing_visit(request: HttpRequest, pk: int) -> HttpResponseBase:
    pairing = get_scoped_or_404(Pairing, request.user, "view", pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            teams.do_record_visit(by=request.user, pairing=pairing, **form.cleaned_data)
        except Refused as exc:
            refusals.flash(request, exc)
        else:
            messages.success(request, _("The visit was recorded."))
    else:
        messages.error(request, _("Enter the date of the visit."))
    return redirect("volunteering:pairing", pk=pk)


# --- certificates ----------------------------------------------------------------------------------


class CertificateListView(ObjectListView):
    model = Certificate
    table_class = CertificateTable
    filterset_class = CertificateFilterSet
    title = gettext_lazy("Certificates")

    def get_queryset(self) -> QuerySet[Certificate]:
        return super().get_queryset().select_related("org", "volunteer__retiree").order_by("-issued_at", "-id")


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_scoped_or_404(
        Certificate.objects.select_related("org", "volunteer__retiree"), request.user, "view", pk=pk
    )
    return render(
        request,
        "volunteering/certificate_detail.html",
        {
            "certificate": certificate,
            "years": sorted(certificate.hours_by_year.items()),
            "can_revoke": can(request.user, "change", certificate) and not certificate.is_revoked,
            "verify_url": request.build_absolute_uri(reverse("volunteering:verify_code", args=[certificate.code])),
            "note_form": NoteForm(),
            "breadcrumbs": trail(crumb(_("Certificates"), "certificates"), (certificate.code, "")),
        },
    )


def _certificate_for(request: HttpRequest, pk: int) -> Certificate:
    """The volunteer's own certificate, or one staff may see in their area (404 otherwise)."""
    found = Certificate.objects.unrestricted().select_related("org", "volunteer__retiree__org").filter(pk=pk).first()
    if found is not None and policy.is_self(request.user, found.volunteer.retiree):
        return found
    return get_scoped_or_404(  # type: ignore[no-any-return]
        Certificate.objects.select_related("org", "volunteer__retiree__org"), request.user, "view", pk=pk
    )


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = _certificate_for(request, pk)
    volunteer = certificate.volunteer
    return render_pdf(
        request,
        "volunteering/certificate_pdf.html",
        {
            "certificate": certificate,
            "retiree": volunteer.retiree,
            "years": sorted(certificate.hours_by_year.items()),
            "verify_url": request.build_absolute_uri(reverse("volunteering:verify_code", args=[certificate.code])),
        },
        title=_("Volunteer service certificate"),
        filename=f"志愿服务证明-{volunteer.retiree.name}-{certificate.code}.pdf",
        fallback_filename=f"volunteer-certificate-{certificate.code}.pdf",
        org=certificate.org,
        object_type="volunteering.certificate",
        extra={"retiree": volunteer.retiree_id},
        issued=timezone.localdate(certificate.issued_at),
    )


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = get_scoped_or_404(Certificate, request.user, "change", pk=pk)
    form = NoteForm(request.POST)
    reason = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        recognition.do_revoke_certificate(by=request.user, certificate=certificate, reason=reason)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The certificate was revoked; its code now checks as revoked."))
    return redirect("volunteering:certificate", pk=pk)


# --- stories to review -----------------------------------------------------------------------------


class StoryReviewListView(ObjectListView):
    model = Story
    table_class = StoryTable
    filterset_class = StoryFilterSet
    title = gettext_lazy("Stories to review")

    def get_queryset(self) -> QuerySet[Story]:
        qs = super().get_queryset().select_related("org").order_by("-created_at", "-id")
        if "status" not in self.request.GET:
            qs = qs.filter(status=Story.Status.SUBMITTED)
        return qs


# --- nominations -----------------------------------------------------------------------------------


class NominationListView(ObjectListView):
    model = Nomination
    table_class = NominationTable
    filterset_class = NominationFilterSet
    title = gettext_lazy("Nominations")
    add_url_name = "volunteering:nomination_add"

    def get_queryset(self) -> QuerySet[Nomination]:
        return super().get_queryset().select_related("org", "at_org", "team", "volunteer__retiree").order_by("-id")


@login_required
def nomination_add(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, Nomination, "add"):
        raise PermissionDenied
    form = NominationForm(
        request.POST or None,
        request.FILES or None,
        teams=Team.objects.restrict(request.user, perm="volunteering.add_nomination"),
        people=selectors.volunteer_people(request.user, "volunteering.add_nomination"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = recognition.do_nominate(
                by=request.user,
                kind=data["kind"],
                year=data["year"],
                materials=data["materials"],
                team=data.get("team"),
                volunteer=data.get("volunteer"),
                attachment=data.get("attachment"),
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The nomination was sent for review."))
            return redirect("volunteering:nomination", pk=nomination.pk)
    return render(
        request,
        "volunteering/staff_form.html",
        {
            "form": form,
            "title": _("Nominate"),
            "multipart": True,
            "cancel_url": reverse("volunteering:nominations"),
            "breadcrumbs": trail(crumb(_("Nominations"), "nominations"), (_("Nominate"), "")),
        },
    )


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_scoped_or_404(
        Nomination.objects.select_related("org", "at_org", "team", "volunteer__retiree"), request.user, "view", pk=pk
    )
    return render(
        request,
        "volunteering/nomination_detail.html",
        {
            "nomination": nomination,
            "steps": list(nomination.steps.select_related("org")),
            "can_review": nomination.status == Nomination.Status.IN_REVIEW
            and policy.reviews_at(request.user, nomination.at_org),
            "note_form": NoteForm(),
            "breadcrumbs": trail(crumb(_("Nominations"), "nominations"), (str(nomination), "")),
        },
    )


@login_required
def nomination_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    nomination = get_scoped_or_404(Nomination, request.user, "view", pk=pk)
    if not nomination.attachment:
        raise Http404
    try:
        return FileResponse(nomination.attachment.open("rb"), as_attachment=True)
    except OSError as exc:
        raise Http404 from exc


@login_required
@require_POST
def nomination_approve(request: HttpRequest, pk: int) -> HttpResponseBase:
    return nomination_decide(request, pk, "approve")


@login_required
@require_POST
def nomination_decline(request: HttpRequest, pk: int) -> HttpResponseBase:
    return nomination_decide(request, pk, "decline")


def nomination_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponseBase:
    nomination = get_scoped_or_404(Nomination.objects.select_related("at_org"), request.user, "view", pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        if decision == "approve":
            done = recognition.do_approve_nomination(by=request.user, nomination=nomination, note=note)
            messages.success(
                request,
                _("Accepted.") if done.status == Nomination.Status.ACCEPTED else _("Approved and sent up the tree."),
            )
        else:
            recognition.do_decline_nomination(by=request.user, nomination=nomination, note=note)
            messages.success(request, _("The nomination was declined."))
    except Refused as exc:
        refusals.flash(request, exc)
    return redirect("volunteering:nomination", pk=pk)


# --- targets ---------------------------------------------------------------------------------------


class TargetListView(ObjectListView):
    model = Target
    table_class = TargetTable
    filterset_class = TargetFilterSet
    title = gettext_lazy("十百千万 targets")
    add_url_name = "volunteering:target_add"
    export_columns = [
        ("单位", "org.name"),
        ("年度", "year"),
        ("好团队", "top_teams"),
        ("微故事", "stories"),
        ("星级志愿者", "star_volunteers"),
        ("志愿者", "volunteers"),
    ]

    def get_queryset(self) -> QuerySet[Target]:
        return super().get_queryset().select_related("org").order_by("-year", "org__path")


class TargetEditView(EditView):
    model = Target
    form_class = TargetForm

    def form_valid(self, form: BaseModelForm) -> HttpResponse:
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():
                obj = form.save()
        except IntegrityError:
            form.add_error("year", _("This org already has targets for that year."))
            return self.form_invalid(form)
        messages.success(self.request, _("Saved “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(reverse("volunteering:targets"))

    def cancel_url(self) -> str:
        return reverse("volunteering:targets")

    def breadcrumbs(self) -> list[tuple[str, str]]:
        current = _("Add") if self.object is None else f"{self.object} · {_('Edit')}"
        return trail(crumb(_("十百千万 targets"), "targets"), (current, ""))

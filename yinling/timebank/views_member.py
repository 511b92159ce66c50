"""Time bank member pages.

Members (a signed-in retiree, or staff acting for one — 代办) get phone-sized pages in elder
mode: their balance, what is pending, the needs board, their services, confirming with a
rating, donating and giving to relatives, and a printable statement. They read only the
member's own account and the open needs near them.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.scoping import can
from yinling.registry.accounts import member_for
from yinling.registry.models import Retiree
from yinling.timebank import services
from yinling.timebank.forms import (
    ConfirmForm,
    DonateForm,
    GiftForm,
    JoinForm,
    NeedForm,
    OptionalReasonForm,
    ReasonForm,
    ReportForm,
)
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, ServiceRequest
from yinling.timebank.views_shared import CRUMB, movement_lines, statement_pdf, statement_response
from yinling.timebank.views_staff import staff_home


def _require_member(request: HttpRequest) -> tuple[Retiree, Account | None, bool]:
    me, on_behalf = member_for(request)
    if me is None:
        raise Http404
    return me, services.member_account(me), on_behalf


@login_required
def home(request: HttpRequest) -> HttpResponse:
    me, on_behalf = member_for(request)
    if me is None:
        return staff_home(request)
    account = services.member_account(me)
    if account is None:
        return member_page(request, "timebank/member_join.html", {"me": me, "form": JoinForm(), "on_behalf": on_behalf})
    rule = services.rule_for(me.org)
    pending = list(services.pending_for(account))
    return member_page(
        request,
        "timebank/member_home.html",
        {
            "me": me,
            "account": account,
            "on_behalf": on_behalf,
            "cap": rule.balance_cap,
            "near_cap": account.balance >= rule.balance_cap * Decimal("0.9"),
            "lines": movement_lines(account.movements.order_by("-id")[:10]),
            "needs": [n for n in pending if n.recipient_id == account.pk],
            "services": [n for n in pending if n.provider_id == account.pk],
            "is_priority": services.is_priority(me, rule),
        },
    )


@login_required
@require_POST
def join(request: HttpRequest) -> HttpResponse:
    me, _on_behalf = member_for(request)
    if me is None:
        raise Http404
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            services.do_join(by=request.user, retiree=me, as_provider=form.cleaned_data["as_provider"])
        except Refused as exc:
            refusals.flash(request, exc)
        else:
            messages.success(request, _("Welcome to the time bank."))
    return redirect("timebank:home")


@login_required
def post_need(request: HttpRequest) -> HttpResponse:
    me, _account, on_behalf = _require_member(request)
    form = NeedForm(request.POST or None, people=services.family_of(me))
    if request.method == "POST" and form.is_valid():
        try:
            need = services.do_post_need(
                by=request.user, recipient=form.for_person() or me, poster=me, **form.service_values()
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(
                request,
                _("Your need was posted (No. %(no)s). Helpers nearby can now see it.") % {"no": need.pk},
            )
            return redirect("timebank:home")
    return member_page(
        request,
        "timebank/member_form.html",
        {"form": form, "title": _("Post a need"), "submit": _("Post"), "me": me, "on_behalf": on_behalf},
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    needs = services.open_needs_near(me, account)
    page = Paginator(needs, 20).get_page(request.GET.get("page"))
    return member_page(
        request,
        "timebank/board.html",
        {"me": me, "account": account, "page": page, "on_behalf": on_behalf},
    )


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    me, account, _on_behalf = _require_member(request)
    need = get_object_or_404(services.open_needs_near(me, account), pk=pk)
    try:
        services.do_accept(by=request.user, need=need, provider=me)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("timebank:board")
    messages.success(request, _("You took on this need. Thank you! It is now under “My services”."))
    return redirect("timebank:services")


@login_required
def my_services(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    if account is None:
        return redirect("timebank:home")
    active = (
        ServiceRequest.objects.unrestricted()
        .filter(provider=account, status__in=services.PENDING_AS_PROVIDER)
        .select_related("recipient__retiree", "org")
        .order_by("starts_at", "id")
    )
    done = (
        ServiceRequest.objects.unrestricted()
        .filter(provider=account, status__in=[ServiceRequest.Status.CONFIRMED, ServiceRequest.Status.RESOLVED])
        .select_related("recipient__retiree")
        .order_by("-updated_at")[:10]
    )
    return member_page(
        request,
        "timebank/my_services.html",
        {"me": me, "account": account, "active": active, "done": done, "form": ReportForm(), "on_behalf": on_behalf},
    )


@login_required
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    _me, account, _on_behalf = _require_member(request)
    need = get_object_or_404(ServiceRequest.objects.unrestricted().filter(provider=account), pk=pk) if account else None
    if need is None:
        raise Http404
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the hours in half hours, for example 1.5."))
        return redirect("timebank:services")
    try:
        services.do_report(by=request.user, need=need, hours=form.cleaned_data["hours"])
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Hours recorded. They move to you once the person you helped confirms."))
    return redirect("timebank:services")


def _need_for_recipient_step(request: HttpRequest, pk: int) -> tuple[ServiceRequest, bool, bool]:
    """(need, on behalf, as staff) for a step the recipient takes: the recipient, or staff who may change it."""
    me, on_behalf = member_for(request)
    account = services.member_account(me) if me else None
    if account is not None:
        need = (
            ServiceRequest.objects.unrestricted()
            .filter(recipient=account, pk=pk)
            .select_related("provider__retiree")
            .first()
        )
        if need is not None:
            return need, on_behalf, False
        if not on_behalf:
            raise Http404
    need = get_object_or_404(ServiceRequest.objects.restrict(request.user, None), pk=pk)
    if not can(request.user, "change", need):
        raise PermissionDenied
    return need, True, True


def _step_crumbs(need: ServiceRequest, as_staff: bool, title: str) -> list[tuple[str, str]]:
    """Staff taking a step for the recipient see where they are; a member's page keeps its Back button."""
    if not as_staff:
        return []
    return [
        (str(CRUMB), reverse("timebank:home")),
        (_("Needs and services"), reverse("timebank:requests")),
        (str(need), reverse("timebank:request", args=[need.pk])),
        (title, ""),
    ]


def _after_step(need: ServiceRequest, as_staff: bool) -> HttpResponse:
    return redirect("timebank:request", pk=need.pk) if as_staff else redirect("timebank:home")


@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    need, on_behalf, as_staff = _need_for_recipient_step(request, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_confirm(by=request.user, need=need, rating=form.cleaned_data["rating"], on_behalf=on_behalf)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            provider = need.provider.retiree.name if need.provider and need.provider.retiree else ""
            messages.success(
                request,
                _("Confirmed. %(hours)s hours went to %(name)s.") % {"hours": need.actual_hours, "name": provider},
            )
            return _after_step(need, as_staff)
    return member_page(
        request,
        "timebank/confirm.html",
        {
            "need": need,
            "form": form,
            "on_behalf": on_behalf,
            "as_staff": as_staff,
            "breadcrumbs": _step_crumbs(need, as_staff, _("Confirm the service")),
        },
    )


@login_required
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    need, on_behalf, as_staff = _need_for_recipient_step(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_dispute(by=request.user, need=need, reason=form.cleaned_data["reason"])
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Your objection was sent. Staff will look into it and settle it."))
            return _after_step(need, as_staff)
    return member_page(
        request,
        "timebank/member_form.html",
        {
            "form": form,
            "title": _("Something is wrong with this service"),
            "intro": str(need),
            "submit": _("Send"),
            "on_behalf": on_behalf,
            "breadcrumbs": _step_crumbs(need, as_staff, _("Something is wrong with this service")),
        },
    )


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    need, on_behalf, as_staff = _need_for_recipient_step(request, pk)
    form = OptionalReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_cancel(by=request.user, need=need, reason=form.cleaned_data["reason"])
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The need was cancelled."))
            return _after_step(need, as_staff)
    return member_page(
        request,
        "timebank/member_form.html",
        {
            "form": form,
            "title": _("Cancel this need"),
            "intro": str(need),
            "submit": _("Cancel the need"),
            "danger": True,
            "on_behalf": on_behalf,
            "breadcrumbs": _step_crumbs(need, as_staff, _("Cancel this need")),
        },
    )


@login_required
@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    need, _on_behalf, as_staff = _need_for_recipient_step(request, pk)
    try:
        services.do_no_show(by=request.user, need=need)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Recorded that the helper did not come."))
    return _after_step(need, as_staff)


@login_required
def donate(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    if account is None:
        return redirect("timebank:home")
    form = DonateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_donate(by=request.user, retiree=me, hours=form.cleaned_data["hours"], on_behalf=on_behalf)
        except Refused as exc:
            refusals.on_form(form, exc, "hours")
        else:
            messages.success(request, _("Thank you: %(hours)s hours went to the pool.") % form.cleaned_data)
            return redirect("timebank:home")
    return member_page(
        request,
        "timebank/member_form.html",
        {
            "form": form,
            "title": _("Donate hours to the pool"),
            "intro": _("Your balance: %(hours)s hours.") % {"hours": account.balance},
            "submit": _("Donate"),
            "on_behalf": on_behalf,
        },
    )


@login_required
def gift(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    if account is None:
        return redirect("timebank:home")
    relatives = services.relatives_of(me)
    form = GiftForm(request.POST or None, relatives=relatives)
    if request.method == "POST" and form.is_valid():
        to = next(r for r in relatives if r.pk == form.cleaned_data["to"])
        try:
            posted = services.do_gift(
                by=request.user, giver=me, to=to, hours=form.cleaned_data["hours"], on_behalf=on_behalf
            )
        except Refused as exc:
            refusals.on_form(form, exc, "hours")
        else:
            messages.success(
                request, _("%(hours)s hours went to %(name)s.") % {"hours": posted.transfer.amount, "name": to.name}
            )
            if posted.overflow:
                messages.info(
                    request,
                    _("%(name)s reached the balance cap: %(hours)s hours went on to the pool.")
                    % {"name": to.name, "hours": posted.overflow.amount},
                )
            return redirect("timebank:home")
    return member_page(
        request,
        "timebank/member_form.html",
        {
            "form": form,
            "title": _("Give hours to a relative"),
            "intro": _("Your balance: %(hours)s hours.") % {"hours": account.balance}
            if relatives
            else _("No relative of yours is recorded in the registry. Ask your bureau to add them."),
            "submit": _("Give"),
            "hide_form": not relatives,
            "on_behalf": on_behalf,
        },
    )


@login_required
def statement(request: HttpRequest) -> HttpResponseBase:
    me, account, _on_behalf = _require_member(request)
    if account is None:
        return redirect("timebank:home")
    return statement_response(request, me, account, staff=False)


@login_required
@require_GET  # a download writes an export record: never on a POST or a HEAD
def statement_pdf_view(request: HttpRequest) -> HttpResponseBase:
    """The same statement as a PDF, for the same people (the member, or staff acting for them)."""
    me, account, _on_behalf = _require_member(request)
    if account is None:
        return redirect("timebank:home")
    return statement_pdf(request, me, account, staff=False)

"""Staff pages: the rounds, opening one, the live round page (counts and who is not reached yet), recording
an answer (one tap from the list, or the form for "needs help"), closing with the report.

A round is found in `Round.objects.restrict(user, None)`, which includes rounds opened above the user's roots
(they work their own people in it): 404 outside, 403 inside without the right. Entries go through the entries'
own scope (the person's org), so a county clerk sees and records only their county's people.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import get_scoped_or_404, has_anywhere, orgs_where
from yinling.rounds import policy
from yinling.rounds.forms import CloseForm, EntryFilterForm, EntryForm, OpenRoundForm, QuickForm
from yinling.rounds.models import EntryStatus, Round, RoundEntry
from yinling.rounds.services import do_close_round, do_open_round, do_record_entry, selectors

PAGE_SIZE = 50


def _round(request: HttpRequest, pk: int, action: str = "view") -> Round:
    return get_scoped_or_404(Round.objects.select_related("org", "opened_by", "closed_by"), request.user, action, pk=pk)


def _list_crumb() -> tuple[str, str]:
    return (_("平安报 rounds"), reverse("rounds:list"))


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_anywhere(user, Round, "view"):
        raise PermissionDenied
    rounds = Round.objects.restrict(user, "view").select_related("org").order_by("-opened_at", "-id")
    page = Paginator(rounds, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "rounds/staff/list.html",
        {
            "page": page,
            "may_open": has_anywhere(user, Round, "add"),
            "breadcrumbs": [(_("平安报 rounds"), "")],
        },
    )


@login_required
def open_round(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not has_anywhere(user, Round, "add"):
        raise PermissionDenied
    form = OpenRoundForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            found = do_open_round(by=user, org=form.cleaned_data["org"], title=form.cleaned_data["title"])
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(
                request, _("The round is open with %(n)d people; they are being told.") % {"n": found.total}
            )
            return redirect("rounds:detail", found.pk)
    return render(
        request,
        "rounds/staff/form.html",
        {
            "form": form,
            "title": _("Open a 平安报 round"),
            "submit": _("Open the round"),
            "breadcrumbs": [_list_crumb(), (_("Open a round"), "")],
        },
    )


def _filters(request: HttpRequest) -> EntryFilterForm:
    orgs = orgs_where(request.user, RoundEntry, "view")
    # Bound only when a filter was sent: a bare ?page=2 of the default list stays on "not reached yet".
    data = request.GET if ("status" in request.GET or "org" in request.GET) else None
    form = EntryFilterForm(data, orgs=orgs, initial={"status": EntryStatus.NOT_REACHED})
    return form


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = _round(request, pk)
    filters = _filters(request)
    status, org = EntryStatus.NOT_REACHED.value, None
    if filters.is_bound:
        if filters.is_valid():
            status, org = filters.cleaned_data["status"], filters.cleaned_data["org"]
        else:
            status = ""
    rows = selectors.entry_list(user, found, status=status, org=org)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_record = found.is_open and has_anywhere(user, RoundEntry, "change")
    for row in page:
        # Per person, by the rule the tap and the API apply (the person's org), not "may record somewhere".
        row.may_record = may_record and policy.staff_may_record(user, row)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rounds/staff/detail.html",
        {
            "round": found,
            "progress": (progress := selectors.progress(user, found)),
            "status_rows": selectors.labelled(progress),
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "shown_status": status,
            "may_record": may_record,
            "may_close": found.is_open and policy.can_close(user, found),
            "breadcrumbs": [_list_crumb(), (found.title, "")],
        },
    )


@login_required
@require_GET
def round_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """The live counts (htmx polls this fragment while the round is open)."""
    found = _round(request, pk)
    progress = selectors.progress(request.user, found)
    return render(
        request,
        "rounds/staff/_counts.html",
        {"round": found, "progress": progress, "status_rows": selectors.labelled(progress)},
    )


def _entry(request: HttpRequest, pk: int, epk: int) -> RoundEntry:
    found = _round(request, pk)
    return get_scoped_or_404(
        RoundEntry.objects.filter(round=found).select_related("round", "retiree", "org"),
        request.user,
        "change",
        pk=epk,
    )


@login_required
@require_POST
def quick(request: HttpRequest, pk: int, epk: int) -> HttpResponseBase:
    """One tap on the list: safe or unreachable (by phone call)."""
    entry = _entry(request, pk, epk)
    form = QuickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose safe or unreachable."))
    else:
        try:
            do_record_entry(
                by=request.user,
                entry=entry,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
            )
        except Refused as exc:
            refusals.flash(request, exc)
        else:
            messages.success(request, _("%(name)s: recorded.") % {"name": entry.retiree.name})
    back = request.POST.get("back", "")
    if back.startswith("?") and "\n" not in back and "\r" not in back:
        return redirect(reverse("rounds:detail", args=[pk]) + back)
    return redirect("rounds:detail", pk)


@login_required
def entry(request: HttpRequest, pk: int, epk: int) -> HttpResponseBase:
    """Record an answer with its details (needs help: what), and the person's history in this round."""
    found = _entry(request, pk, epk)
    form = EntryForm(request.POST or None, initial={"version": found.version, "status": found.status})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_record_entry(
                by=request.user,
                entry=found,
                status=data["status"],
                needs=data["needs"],
                source=data["source"],
                version=data["version"],
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("%(name)s: recorded.") % {"name": found.retiree.name})
            return redirect("rounds:detail", pk)
    return render(
        request,
        "rounds/staff/entry.html",
        {
            "round": found.round,
            "entry": found,
            "form": form,
            "history": list(found.updates.select_related("recorded_by")),
            "breadcrumbs": [
                _list_crumb(),
                (found.round.title, reverse("rounds:detail", args=[pk])),
                (found.retiree.name, ""),
            ],
        },
    )


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _round(request, pk)
    if not policy.can_close(request.user, found):
        raise PermissionDenied
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_close_round(by=request.user, round_=found, report=form.cleaned_data["report"])
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The round is closed."))
            return redirect("rounds:report", pk)
    context: dict[str, Any] = {
        "form": form,
        "title": _("Close the round: %(title)s") % {"title": found.title},
        "submit": _("Close the round"),
        "progress": selectors.progress(request.user, found),
        "breadcrumbs": [_list_crumb(), (found.title, reverse("rounds:detail", args=[pk])), (_("Close"), "")],
    }
    return render(request, "rounds/staff/form.html", context)

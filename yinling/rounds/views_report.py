"""The round's report: counts by status and by org, who needs help and who could not be reached; as a page,
an audited .xlsx of every person in the viewer's scope, and a PDF (core/pdf.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yinling.core.exports import xlsx_response
from yinling.core.pdf import pdf_available, render_pdf, unavailable_response
from yinling.core.scoping import can, get_scoped_or_404
from yinling.rounds.models import EntryStatus, Round, Source
from yinling.rounds.services import selectors

LISTED = (EntryStatus.NEEDS_HELP, EntryStatus.UNREACHABLE)


def _context(request: HttpRequest, found: Round) -> dict[str, Any]:
    user = request.user
    listed = selectors.entry_list(user, found).filter(status__in=LISTED)
    progress = selectors.progress(user, found)
    return {
        "round": found,
        "progress": progress,
        "status_rows": selectors.labelled(progress),
        "by_org": selectors.by_org(user, found),
        "statuses": EntryStatus.choices,
        "needs_help": [e for e in listed if e.status == EntryStatus.NEEDS_HELP],
        "unreachable": [e for e in listed if e.status == EntryStatus.UNREACHABLE],
        "may_export": can(user, "export", found),
    }


def _rows(request: HttpRequest, found: Round) -> Iterator[list[Any]]:
    labels = dict(EntryStatus.choices)
    sources = dict(Source.choices)
    for e in selectors.entry_list(request.user, found).iterator(chunk_size=2000):
        yield [
            e.org.code,
            e.org.name,
            e.retiree.name,
            str(labels.get(e.status, e.status)),
            e.needs,
            str(sources.get(e.source, "")),
            e.recorded_by.get_username() if e.recorded_by else "",
            timezone.localtime(e.recorded_at).strftime("%Y-%m-%d %H:%M") if e.recorded_at else "",
        ]


@login_required
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = get_scoped_or_404(
        Round.objects.select_related("org", "closed_by", "opened_by"), request.user, "view", pk=pk
    )
    if request.GET.get("export") == "xlsx":
        if not can(request.user, "export", found):
            raise PermissionDenied
        headers = [
            _("Org code"),
            _("Org"),
            _("Name"),
            _("Status"),
            _("Needs"),
            _("Source"),
            _("Recorded by"),
            _("Recorded at"),
        ]
        return xlsx_response(
            f"pinganbao-{found.pk}.xlsx",
            headers,
            _rows(request, found),
            object_type="rounds.round",
            org_path=found.org.path,
            filters={"round": found.pk},
            sheet_title="平安报",
            extra={"round": found.pk},
        )
    context = _context(request, found)
    context["pdf_url"] = reverse("rounds:report_pdf", args=[pk])
    context["breadcrumbs"] = [
        (_("平安报 rounds"), reverse("rounds:list")),
        (found.title, reverse("rounds:detail", args=[pk])),
        (_("Report"), ""),
    ]
    return render(request, "rounds/staff/report.html", context)


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = get_scoped_or_404(Round.objects.select_related("org", "closed_by"), request.user, "export", pk=pk)
    if not pdf_available():
        return unavailable_response(request)
    return render_pdf(
        request,
        "rounds/report_pdf.html",
        _context(request, found),
        filename=f"平安报-{found.title}.pdf",
        fallback_filename=f"pinganbao-{found.pk}.pdf",
        title=_("平安报 report: %(title)s") % {"title": found.title},
        org=found.org,
        object_type="rounds.round",
        extra={"round": found.pk},
    )

"""Time bank pools and the monthly report (staff): pool balances, issuing hours into a pool, granting
from it to members, and the monthly figures per bureau with their export.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.scoping import can_at, orgs_where
from yinling.jobs.services import do_start
from yinling.jobs.views import confirm_start
from yinling.orgs.models import Org
from yinling.registry.models import Retiree
from yinling.timebank import report_jobs, reports, services
from yinling.timebank.filters import bureaus_for
from yinling.timebank.forms import (
    GrantForm,
    IssueForm,
    ReportFilterForm,
)
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Rule
from yinling.timebank.views_shared import CRUMB, movement_lines
from yinling.timebank.views_staff import _granted, _require_staff


@login_required
def pools(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    user = request.user
    orgs = bureaus_for(user, "timebank.view_account")
    balances = dict(
        Account.objects.restrict(user, "view").filter(kind=Account.Kind.POOL).values_list("org_id", "balance")
    )
    rows = [(org, balances.get(org.pk)) for org in orgs]
    return render(
        request,
        "timebank/pools.html",
        {
            "rows": rows,
            "total": sum((b for b in balances.values() if b), Decimal("0")),
            "breadcrumbs": [(CRUMB, reverse("timebank:home")), (_("Pools"), "")],
        },
    )


def _pool_org(request: HttpRequest, code: str, action: str = "view") -> Org:
    org = get_object_or_404(Org.objects.restrict(request.user, None), code=code)
    if not can_at(request.user, Account, action, org):
        raise PermissionDenied
    return org


def _pool_people(request: HttpRequest, org: Org) -> QuerySet[Retiree]:
    """Members under the pool's org to whom the user may grant."""
    return (
        Retiree.objects.restrict(request.user, perm="timebank.grant_account")
        .filter(org__path__under=org.path, timebank_account__isnull=False, is_deleted=False)
        .order_by("name_pinyin", "id")
    )


@login_required
def pool_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = _pool_org(request, code)
    pool = Account.objects.unrestricted().filter(kind=Account.Kind.POOL, org=org).first()
    lines = []
    if pool is not None:
        lines = movement_lines(pool.movements.order_by("-id")[:30])
    # Read only: a GET never opens a pool (issuing into one does, audited, in do_issue).
    serving = services.nearest_pool(org) if pool is None else pool
    return render(
        request,
        "timebank/pool_detail.html",
        {
            "org": org,
            "pool": pool,
            "serving": serving if serving and serving.pk and serving.org_id != org.pk else None,
            "lines": lines,
            "can_issue": can_at(request.user, Account, "issue", org),
            "can_grant": can_at(request.user, Account, "grant", org),
            "can_view_rule": can_at(request.user, Rule, "view", org),
            "issue_form": IssueForm(),
            "grant_form": GrantForm(people=_pool_people(request, org)),
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Pools"), reverse("timebank:pools")),
                (org.name, ""),
            ],
        },
    )


@login_required
@require_POST
def pool_issue(request: HttpRequest, code: str) -> HttpResponse:
    org = _pool_org(request, code, "issue")
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the hours, a reason and the document number."))
        return redirect("timebank:pool", code=code)
    try:
        services.do_issue(by=request.user, org=org, **form.cleaned_data)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Issued %(hours)s hours into the pool.") % form.cleaned_data)
    return redirect("timebank:pool", code=code)


@login_required
@require_POST
def pool_grant(request: HttpRequest, code: str) -> HttpResponse:
    org = _pool_org(request, code, "grant")
    form = GrantForm(request.POST, people=_pool_people(request, org))
    if not form.is_valid():
        messages.error(request, _("Choose a member and enter the hours and a reason."))
        return redirect("timebank:pool", code=code)
    person = form.cleaned_data["member"]
    try:
        posted = services.do_grant(
            by=request.user, retiree=person, hours=form.cleaned_data["hours"], reason=form.cleaned_data["reason"]
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        _granted(request, posted, person.name)
    return redirect("timebank:pool", code=code)


@login_required
def monthly_report(request: HttpRequest) -> HttpResponseBase:
    _require_staff(request)
    bureaus = bureaus_for(request.user, "timebank.view_account")
    # Any active org where the user sees accounts may be chosen (the picker offers those); the top bureau by default.
    form = ReportFilterForm(request.GET or None, orgs=orgs_where(request.user, Account, "view"))
    month, org = reports.this_month(), bureaus.order_by("depth", "path").first()
    if form.is_valid():
        month = form.cleaned_data.get("month") or month
        org = form.cleaned_data.get("org") or org
    if org is None:
        raise PermissionDenied
    if request.GET.get("export") == "xlsx":
        if not can_at(request.user, Account, "export", org):
            raise PermissionDenied
        # Written by a worker (report_jobs.py); the job page offers the file when it is ready. A GET
        # gets the page whose button POSTs here (a GET never writes).
        if request.method != "POST":
            return confirm_start(
                request,
                title=_("Time bank monthly report"),
                explanation=_(
                    "The spreadsheet will be written in the background; its page shows the progress and offers "
                    "the file when it is ready."
                ),
            )
        job = do_start(
            by=request.user,
            kind=report_jobs.KIND,
            org=org,
            label=_("Time bank monthly report %(org)s %(month)s") % {"org": org.name, "month": f"{month:%Y-%m}"},
            params={"org": org.code, "month": month.isoformat()},
        )
        return redirect("jobs:detail", pk=job.pk)
    rows = reports.monthly(request.user, org, month)
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "timebank/report.html",
        {
            "form": form,
            "rows": rows,
            "org": org,
            "month": month,
            "query": query.urlencode(),
            "can_export": can_at(request.user, Account, "export", org),
            "breadcrumbs": [(CRUMB, reverse("timebank:home")), (_("Monthly report"), "")],
        },
    )

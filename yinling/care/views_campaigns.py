"""Festival campaigns: create, the campaign's page (progress by org, the list, assigning), building the list,
closing, and the list as .xlsx. A campaign run from an org above is visible to the orgs below it; each sees and
works its own part of the list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yinling.care import rules
from yinling.care.filters import TargetFilterSet
from yinling.care.forms import AssignForm, CampaignForm
from yinling.care.models import Campaign, CampaignTarget, Visit
from yinling.care.services import campaigns, selectors
from yinling.core import refusals
from yinling.core.exports import xlsx_response
from yinling.core.refusals import Refused
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere, orgs_where
from yinling.orgs.models import Org


def viewable(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may view: run in their subtree or from an org above it (CampaignQuerySet); 404
    outside their scope, 403 inside it without the right to view campaigns."""
    found = Campaign.objects.restrict(request.user, "view").select_related("org").filter(pk=pk).first()
    if found is not None:
        return found
    if Campaign.objects.restrict(request.user, None).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def _crumbs(*items: tuple[Any, str]) -> list[tuple[str, str]]:
    return [(str(_("Festival campaigns")), reverse("care:campaigns")), *((str(a), b) for a, b in items)]


@login_required
def campaign_add(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, Campaign, "add"):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, orgs=orgs_where(request.user, Campaign, "add").order_by("path"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaigns.do_create_campaign(
                by=request.user,
                org=data["org"],
                name=data["name"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                codes=list(data["codes"]),
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The campaign is created: build its list next."))
            return redirect("care:campaign", pk=campaign.pk)
    return render(
        request,
        "care/form.html",
        {
            "form": form,
            "title": _("New campaign"),
            "cancel_url": reverse("care:campaigns"),
            "breadcrumbs": _crumbs((_("New campaign"), "")),
        },
    )


def _targets(request: HttpRequest, campaign: Campaign, action: str = "view") -> Any:
    return CampaignTarget.objects.restrict(request.user, action).filter(campaign=campaign)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = viewable(request, pk)
    user = request.user
    top = _top_org(request, campaign)
    progress = [(o, t, d, t - d) for o, t, d in (selectors.campaign_progress(user, campaign, top) if top else [])]
    filterset = TargetFilterSet(request.GET, queryset=_targets(request, campaign), request=request)
    rows = filterset.qs if filterset.is_valid() else _targets(request, campaign).none()
    page = Paginator(
        rows.select_related("retiree", "org", "worker").order_by("done_on", "org__path", "id"), 50
    ).get_page(request.GET.get("page"))
    may_assign = has_anywhere(user, CampaignTarget, "change") and campaign.status == Campaign.Status.OPEN
    assign_form = None
    if may_assign:
        assign_form = AssignForm(
            orgs=Org.objects.restrict(user, None).filter(path__under=campaign.org.path).order_by("path")
            | Org.objects.restrict(user, None).filter(pk=campaign.org_id),
            workers=selectors.worker_choices(user),
        )
    return render(
        request,
        "care/campaign_detail.html",
        {
            "campaign": campaign,
            "rules_text": rules.label_of(campaign.rules),
            "progress": progress,
            "total": sum(r[1] for r in progress),
            "done": sum(r[2] for r in progress),
            "top": top,
            "filter": filterset,
            "page": page,
            "can_change": can(user, "change", campaign),
            "can_visit": has_anywhere(user, Visit, "add") and campaign.status == Campaign.Status.OPEN,
            "assign_form": assign_form,
            "breadcrumbs": _crumbs((campaign.name, "")),
        },
    )


def _top_org(request: HttpRequest, campaign: Campaign) -> Org | None:
    """Where the progress table starts: the campaign's org when the user's scope covers it, else the user's
    own top org under it."""
    scope = Org.objects.restrict(request.user, None)
    if scope.filter(pk=campaign.org_id).exists():
        return campaign.org
    return scope.filter(path__under=campaign.org.path).order_by("depth", "path").first()


@login_required
@require_POST
def campaign_build(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = get_scoped_or_404(Campaign.objects.select_related("org"), request.user, "change", pk=pk)
    try:
        added = campaigns.do_build_targets(by=request.user, campaign=campaign)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("%(n)d people were added to the list.") % {"n": added})
    return redirect("care:campaign", pk=pk)


@login_required
@require_POST
def campaign_assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = viewable(request, pk)
    if not has_anywhere(request.user, CampaignTarget, "change"):
        raise PermissionDenied
    form = AssignForm(
        request.POST,
        orgs=Org.objects.restrict(request.user, None),
        workers=selectors.worker_choices(request.user),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a worker (and an org) to assign."))
        return redirect("care:campaign", pk=pk)
    targets = _targets(request, campaign, "change")
    org = form.cleaned_data.get("org")
    if org is not None:
        targets = targets.filter(org__path__under=org.path)
    if form.cleaned_data.get("only_unassigned"):
        targets = targets.filter(worker__isnull=True)
    try:
        n = campaigns.do_assign(
            by=request.user, targets=list(targets.filter(done_on__isnull=True)), worker=form.cleaned_data["worker"]
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("%(n)d people were assigned.") % {"n": n})
    return redirect("care:campaign", pk=pk)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = get_scoped_or_404(Campaign, request.user, "change", pk=pk)
    try:
        campaigns.do_close_campaign(by=request.user, campaign=campaign)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The campaign is closed."))
    return redirect("care:campaign", pk=pk)


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The list, done and not done, as .xlsx: the rows the user may export (audited)."""
    campaign = viewable(request, pk)
    if not has_anywhere(request.user, CampaignTarget, "export"):
        raise PermissionDenied
    rows = (
        _targets(request, campaign, "export")
        .select_related("retiree", "org", "worker", "visit")
        .order_by("org__path", "id")
    )

    def lines() -> Any:
        for t in rows.iterator(chunk_size=2000):
            yield [
                t.retiree.name,
                t.org.name,
                rules.label_of(t.reasons),
                t.worker.username if t.worker else "",
                "已走访" if t.done_on else "未走访",
                t.done_on,
                t.visit.visitors if t.visit else "",
                t.visit.given if t.visit else "",
            ]

    return xlsx_response(
        f"campaign-{campaign.pk}.xlsx",
        ["姓名", "管理单位", "名单依据", "走访人账号", "状态", "走访日期", "走访人", "慰问品"],
        lines(),
        object_type="care.campaigntarget",
        org_path=campaign.org.path,
        filters={"campaign": campaign.pk},
        sheet_title=campaign.name[:30],
    )

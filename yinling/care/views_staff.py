"""The staff pages of care work: my due list, recording a visit (on a phone), a retiree's care page (plan,
events, visits, 一人一策) and its forms. The services decide every rule; these views show their answers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.care import policy
from yinling.care.forms import EventForm, PlanForm, PolicyForm, ReviewForm, VisitForm
from yinling.care.models import CampaignTarget, CareEvent, CarePlan, Plan1P1C, Visit
from yinling.care.services import plans, policies, selectors, visits
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at, get_scoped_or_404, has_anywhere
from yinling.registry.models import Retiree


def trail(*items: tuple[Any, str]) -> list[tuple[str, str]]:
    return [(str(label), url) for label, url in items]


def due_crumb() -> tuple[Any, str]:
    return gettext_lazy("Due visits"), reverse("care:due")


def case_link(retiree_id: int) -> str:
    """Where "open a service case" posts: the registry's 代办 for this person, landing on the services the person
    may apply for (the cases module's pages; modules link by URL, never by import)."""
    return reverse("registry:act_start", args=[retiree_id])


def case_next() -> str:
    try:
        return reverse("cases:home")
    except NoReverseMatch:  # the services module is not installed
        return "/"


def _person(request: HttpRequest, pk: Any, model: type, action: str) -> Retiree:
    """The retiree in the user's scope (404 outside it), with `action` on care's `model` at their org (403)."""
    try:
        found = Retiree.objects.restrict(request.user, None).select_related("org").filter(pk=pk).first()
    except (ValueError, TypeError, OverflowError) as exc:  # `?retiree=abc`: a 404, as get_scoped_or_404
        raise Http404 from exc
    if found is None:
        raise Http404
    if not can_at(request.user, model, action, found.org):
        raise PermissionDenied
    return found


@login_required
def due(request: HttpRequest) -> HttpResponse:
    """My due list: overdue first. `?scope=mine` (my people) or `all` (everyone in my scope)."""
    if not has_anywhere(request.user, CarePlan, "view"):
        raise PermissionDenied
    worker = selectors.is_worker(request.user)
    scope = request.GET.get("scope") or ("mine" if worker else "all")
    scope = scope if scope in ("mine", "all") else "all"
    items = selectors.due_list(request.user, mine=scope == "mine")
    return render(
        request,
        "care/due.html",
        {
            "items": items,
            "scope": scope,
            "overdue": sum(1 for i in items if i.overdue),
            "targets": selectors.my_campaign_visits(request.user),
            "breadcrumbs": trail((_("Due visits"), "")),
        },
    )


@login_required
def visit_add(request: HttpRequest) -> HttpResponse:
    """Record a visit: for the retiree named by `?retiree=` (from the due list), or one chosen with the picker;
    `?target=` records a festival campaign's visit."""
    if not has_anywhere(request.user, Visit, "add"):
        raise PermissionDenied
    fixed = None
    target = None
    if request.GET.get("target"):
        target = get_scoped_or_404(
            CampaignTarget.objects.select_related("retiree__org", "campaign"),
            request.user,
            "change",
            pk=request.GET["target"],
        )
        fixed = target.retiree
    elif request.GET.get("retiree"):
        fixed = _person(request, request.GET["retiree"], Visit, "add")
    people = Retiree.objects.restrict(request.user, perm="care.add_visit")
    initial = {"occasion": "festival"} if target is not None else None
    form = VisitForm(request.POST or None, request.FILES or None, people=people, fixed=fixed, initial=initial)
    if request.method == "POST" and form.is_valid():
        retiree = fixed or form.cleaned_data["retiree"]
        try:
            visit = visits.do_record_visit(by=request.user, retiree=retiree, target=target, **form.values())
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The visit to %(name)s is recorded.") % {"name": retiree.name})
            if target is not None:
                return redirect("care:campaign", pk=target.campaign_id)
            return redirect("care:visit", pk=visit.pk)
    return render(
        request,
        "care/visit_form.html",
        {"form": form, "fixed": fixed, "target": target, "breadcrumbs": trail(due_crumb(), (_("Record a visit"), ""))},
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_scoped_or_404(
        Visit.objects.select_related("retiree__org", "recorded_by", "event"), request.user, "view", pk=pk
    )
    return render(
        request,
        "care/visit_detail.html",
        {
            "visit": visit,
            "case_url": case_link(visit.retiree_id) if visit.open_case else "",
            "case_next": case_next(),
            "breadcrumbs": trail(
                (_("Visit records"), reverse("care:visits")),
                (visit.retiree.name, reverse("care:person", args=[visit.retiree_id])),
                (str(visit.visited_on), ""),
            ),
        },
    )


@login_required
def visit_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The photo, for those who may see the visit (never a public media address)."""
    visit = get_scoped_or_404(Visit, request.user, "view", pk=pk)
    if not visit.photo:
        raise Http404
    try:
        handle = visit.photo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def person(request: HttpRequest, retiree: int) -> HttpResponse:
    """A retiree's care page: the plan and what is due, open events, visits, 一人一策."""
    found = _person(request, retiree, CarePlan, "view")
    user = request.user
    plan = CarePlan.objects.restrict(user, None).select_related("worker").filter(retiree=found).first()
    items = selectors.items_of(plan, *_window()) if plan is not None else []
    return render(
        request,
        "care/person.html",
        {
            "person": found,
            "plan": plan,
            "items": items,
            "events": list(
                CareEvent.objects.restrict(user, "view").filter(retiree=found).order_by("-happened_at")[:10]
            ),
            "visits": list(
                Visit.objects.restrict(user, "view").filter(retiree=found).order_by("-visited_on", "-id")[:30]
            ),
            "policy": Plan1P1C.objects.restrict(user, "view")
            .select_related("responsible")
            .filter(retiree=found)
            .first(),
            "can_plan": can_at(user, CarePlan, "change", found.org),
            "can_event": can_at(user, CareEvent, "add", found.org),
            "can_visit": can_at(user, Visit, "add", found.org),
            "can_policy": can_at(user, Plan1P1C, "change", found.org) and found.category == "lixiu",
            "breadcrumbs": trail((_("Care plans"), reverse("care:plans")), (found.name, "")),
        },
    )


def _window() -> tuple[Any, Any]:
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    today = timezone.localdate()
    return today, today + dt.timedelta(days=settings.CARE_DUE_HORIZON_DAYS)


def _form_page(request: HttpRequest, form: Any, title: str, back: str, person_obj: Retiree) -> HttpResponse:
    return render(
        request,
        "care/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": back,
            "multipart": False,
            "breadcrumbs": trail((person_obj.name, back), (title, "")),
        },
    )


@login_required
def plan_edit(request: HttpRequest, retiree: int) -> HttpResponse:
    found = _person(request, retiree, CarePlan, "change")
    back = reverse("care:person", args=[found.pk])
    plan = CarePlan.objects.restrict(request.user, None).filter(retiree=found).first()
    initial = {"risk": plan.risk, "worker": plan.worker_id, "version": plan.version} if plan else None
    if plan is None:
        from django.utils import timezone

        initial = {"risk": plans.new_plan(found, timezone.localdate()).risk}
    form = PlanForm(request.POST or None, initial=initial, workers=selectors.worker_choices(request.user, found.org))
    if request.method == "POST" and form.is_valid():
        try:
            plans.do_set_plan(
                by=request.user,
                retiree=found,
                risk=form.cleaned_data["risk"],
                worker=form.cleaned_data["worker"],
                version=form.cleaned_data.get("version"),
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The care plan is saved."))
            return redirect(back)
    return _form_page(request, form, _("Care plan"), back, found)


@login_required
def event_add(request: HttpRequest, retiree: int) -> HttpResponse:
    found = _person(request, retiree, CareEvent, "add")
    back = reverse("care:person", args=[found.pk])
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plans.do_record_event(by=request.user, retiree=found, **form.cleaned_data)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The event is recorded: a visit is now due."))
            return redirect(back)
    return _form_page(request, form, _("Record an event"), back, found)


@login_required
def policy_edit(request: HttpRequest, retiree: int) -> HttpResponse:
    found = _person(request, retiree, Plan1P1C, "change")
    back = reverse("care:person", args=[found.pk])
    existing = Plan1P1C.objects.restrict(request.user, None).filter(retiree=found).first()
    initial = None
    if existing is not None:
        initial = {
            "needs": existing.needs,
            "measures": existing.measures,
            "responsible": existing.responsible_id,
            "review_months": existing.review_months,
            "version": existing.version,
        }
    form = PolicyForm(request.POST or None, initial=initial, workers=selectors.worker_choices(request.user, found.org))
    if request.method == "POST" and form.is_valid():
        try:
            policies.do_write_policy(by=request.user, retiree=found, **form.cleaned_data)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The 一人一策 plan is saved."))
            return redirect(back)
    return _form_page(request, form, _("一人一策"), back, found)


@login_required
def policy_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_scoped_or_404(Plan1P1C.objects.select_related("retiree__org"), request.user, "change", pk=pk)
    policy.check_review_policy(request.user, plan)
    back = reverse("care:person", args=[plan.retiree_id])
    form = ReviewForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            policies.do_review_policy(by=request.user, plan=plan, **form.cleaned_data)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect(back)
    return _form_page(request, form, _("Review the 一人一策 plan"), back, plan.retiree)

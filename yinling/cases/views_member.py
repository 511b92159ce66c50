"""The retiree's pages (elder mode, phone first): the services they may apply for, one form per page built
from the item's fields, their cases with each step's history, and fixing a returned case.

Whom a page is for: the signed-in retiree, a relative recorded in the registry (`?for=` / a hidden `for`
field: registry.acting.family_subject decides), or the retiree staff act for (代办, registry.accounts.member_for).
Staff acting for nobody get 404: these are a retiree's pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yinling.cases import policy, services
from yinling.cases.forms import case_form
from yinling.cases.models import Case, ExternalService, ServiceItem
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at
from yinling.registry import acting
from yinling.registry.accounts import member_for
from yinling.registry.models import Retiree


def subject(request: HttpRequest) -> tuple[Retiree, bool]:
    """(whom the page is for, whether staff act for them)."""
    me, staff = member_for(request)
    if me is None:
        raise Http404
    if staff:
        if not can_at(request.user, Case, "add", me.org):
            raise PermissionDenied
        return me, True
    named = request.POST.get("for") if request.method == "POST" else request.GET.get("for")
    return acting.family_subject(me, named), False


def _subject_or_refusal(request: HttpRequest) -> Retiree:
    try:
        return subject(request)[0]
    except Refused as exc:
        refusals.flash(request, exc)
        raise Http404 from exc


def _for(request: HttpRequest, who: Retiree) -> str:
    me, _staff = member_for(request)
    return "" if me is None or me.pk == who.pk else str(who.pk)


def _family(request: HttpRequest) -> list[Retiree]:
    """Whom the member may choose on the list pages (themselves first); staff acting for one person: none."""
    me, staff = member_for(request)
    return [] if me is None or staff else acting.family_of(me)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    who = _subject_or_refusal(request)
    items = []
    for item in policy.offered_items(who):
        reason = policy.ineligible_reason(who, item.current.definition) if item.current else ""
        items.append({"item": item, "reason": reason, "limit": item.current.limit_days if item.current else 0})
    open_cases = Case.objects.unrestricted().filter(retiree=who).exclude(status__in=["completed", "rejected"]).count()
    return render(
        request,
        "cases/member/home.html",
        {"who": who, "for": _for(request, who), "items": items, "open_cases": open_cases, "family": _family(request)},
    )


def _offered(who: Retiree, code: str) -> ServiceItem:
    item = policy.offered_items(who).filter(code=code).first()
    if item is None:
        raise Http404
    return item


def _files(request: HttpRequest, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["name"]: request.FILES[f["name"]] for f in fields if f["type"] == "file" and f["name"] in request.FILES}


def _errors_on(form: Any, exc: ValidationError) -> None:
    for name, errs in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errs)


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponseBase:
    who = _subject_or_refusal(request)
    item = _offered(who, code)
    version = item.current
    assert version is not None
    reason = policy.ineligible_reason(who, version.definition)
    form = case_form(version.fields, request.POST or None, request.FILES or None)
    if request.method == "POST" and not reason and form.is_valid():
        try:
            case = services.do_file(
                by=request.user, item=item, retiree=who, data=request.POST.dict(), files=_files(request, version.fields)
            )
        except ValidationError as exc:
            _errors_on(form, exc)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Your application was sent. You will be told of every step."))
            return redirect("cases:mine_detail", pk=case.pk)
    return render(
        request,
        "cases/member/apply.html",
        {"who": who, "for": _for(request, who), "item": item, "version": version, "form": form, "reason": reason},
    )


def _my_case(request: HttpRequest, pk: int) -> tuple[Case, Retiree]:
    who = _subject_or_refusal(request)
    # The person's own case, read on their authority; anyone else's id is a 404 like one that does not exist.
    case = (
        Case.objects.unrestricted()
        .select_related("item", "item_version", "step_org", "retiree")
        .filter(pk=pk, retiree=who)
        .first()
    )
    if case is None:
        raise Http404
    return case, who


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    who = _subject_or_refusal(request)
    cases = Case.objects.unrestricted().filter(retiree=who).select_related("item", "item_version").order_by("-pk")
    context = {"who": who, "for": _for(request, who), "cases": list(cases[:50]), "family": _family(request)}
    return render(request, "cases/member/mine.html", context)


def _fix_comment(case: Case) -> str:
    last = case.events.filter(action="return").order_by("-pk").first()
    return last.comment if last else ""


@login_required
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case, who = _my_case(request, pk)
    return render(
        request,
        "cases/member/case.html",
        {
            "who": who,
            "for": _for(request, who),
            "case": case,
            "events": list(case.events.all()),
            "steps": case.item_version.steps,
            "fix": _fix_comment(case) if case.status == Case.Status.RETURNED else "",
            "attachments": list(case.attachments.all()),
            "labels": {f["name"]: f["label"] for f in case.item_version.fields},
        },
    )


@login_required
def resubmit(request: HttpRequest, pk: int) -> HttpResponseBase:
    case, who = _my_case(request, pk)
    if case.status != Case.Status.RETURNED:
        return redirect("cases:mine_detail", pk=case.pk)
    fields = case.item_version.fields
    have = set(case.attachments.values_list("field", flat=True))
    initial = {**case.data, **{f"__has_{name}": True for name in have}}
    form = case_form(fields, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_resubmit(
                by=request.user,
                case=case,
                data=request.POST.dict(),
                files=_files(request, fields),
                expected_version=case.version,
            )
        except ValidationError as exc:
            _errors_on(form, exc)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Sent again. It goes back to the step that returned it."))
            return redirect("cases:mine_detail", pk=case.pk)
    return render(
        request,
        "cases/member/fix.html",
        {"who": who, "for": _for(request, who), "case": case, "form": form, "fix": _fix_comment(case)},
    )


@login_required
def external(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "kind", "") != "retiree" and member_for(request)[0] is None:
        raise Http404
    return render(
        request, "cases/member/external.html", {"links": list(ExternalService.objects.filter(is_active=True))}
    )

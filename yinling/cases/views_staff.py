"""The staff desk: my queue, all cases (filters, .xlsx export), a case with its decision, attachments, and
the working-day calendar. Item definition pages are in views_items.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.cases import policy, services
from yinling.cases.filters import CaseFilterSet
from yinling.cases.forms import DecideForm, WorkdayForm
from yinling.cases.models import Case, CaseAttachment, WorkdayOverride
from yinling.cases.services.sweep import near_limit
from yinling.cases.tables import CaseTable
from yinling.cases.workdays import overrides_between
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere
from yinling.core.views import ObjectListView
from yinling.registry.services import may_see_sensitive


class CaseListView(ObjectListView):
    model = Case
    table_class = CaseTable
    filterset_class = CaseFilterSet
    title = gettext_lazy("All cases")
    export_columns = [
        ("编号", "pk"),
        ("事项", "item.name"),
        ("申请人", "retiree.name"),
        ("管理单位", "org.name"),
        ("状态", "get_status_display"),
        ("当前环节", "step_name"),
        ("办理单位", "step_org.name"),
        ("承诺办结日期", "due_on"),
        ("申请时间", "filed_at"),
        ("是否按时办结", "on_time"),
        ("代办", "on_behalf"),
    ]

    def get_queryset(self) -> QuerySet[Case]:
        return (
            super().get_queryset().select_related("item", "item_version", "retiree", "org", "step_org").order_by("-pk")
        )

    def export_queryset(self) -> QuerySet[Case]:
        return super().export_queryset().select_related("item", "item_version", "retiree", "org", "step_org")


def _trail(here: Any) -> list[tuple[Any, str]]:
    """Home › Service cases › this page."""
    return [(_("Service cases"), reverse("cases:case_list")), (here, "")]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, Case, "change"):
        raise PermissionDenied
    today = timezone.localdate()
    cases = list(
        policy.waiting_on(request.user)
        .select_related("item", "item_version", "retiree", "org")
        .order_by("due_on", "pk")
    )
    # The calendar's overrides read once for the whole queue, not once a row.
    overrides = overrides_between(today, max((c.due_on for c in cases if c.due_on), default=today))
    rows = [
        {
            "case": c,
            "overdue": bool(c.due_on and c.due_on < today),
            "near": near_limit(c, today, overrides) if c.due_on and c.due_on >= today else False,
        }
        for c in cases
    ]
    return render(
        request,
        "cases/staff/queue.html",
        {"rows": rows, "title": _("Cases waiting for me"), "breadcrumbs": _trail(_("Cases waiting for me"))},
    )


def _labels(case: Case) -> dict[str, str]:
    return {f["name"]: f["label"] for f in case.item_version.fields}


@login_required
def case_detail(request: HttpRequest, pk: int, form: DecideForm | None = None) -> HttpResponse:
    case = get_scoped_or_404(
        Case.objects.select_related("item", "item_version", "retiree", "org", "step_org"), request.user, "view", pk=pk
    )
    may_decide = policy.may_decide(request.user, case)
    labels = _labels(case)
    values = dict(case.data)
    may_reveal = bool(case.sensitive_value) and may_see_sensitive(request.user, case.retiree)
    if may_reveal and request.GET.get("reveal") == "1":
        # The new phone or address in full, for a role that sees the registry's sensitive fields: audited.
        record(AuditRecord.Action.VIEW_SENSITIVE, case, extra={"fields": ["value"]})
        values["value"] = case.sensitive_value
    return render(
        request,
        "cases/staff/case.html",
        {
            "case": case,
            "values": [(labels.get(k, k), v) for k, v in values.items()],
            "may_reveal": may_reveal,
            "may_export": can(request.user, "export", case),
            "events": list(case.events.all()),
            "steps": case.item_version.steps,
            "attachments": list(case.attachments.all()),
            "may_decide": may_decide,
            "form": form or DecideForm(initial={"version": case.version}),
            "documents": case.item_version.definition.get("documents", []),
            "breadcrumbs": _trail(str(case)),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = get_scoped_or_404(Case.objects.select_related("item", "item_version"), request.user, "view", pk=pk)
    if not can(request.user, "change", case):  # the API's rule (api.CaseViewSet.decide): change on this case
        raise PermissionDenied
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_decide(
                by=request.user,
                case=case,
                action=data["action"],
                comment=data["comment"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            for name, errs in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Your decision was recorded and the applicant told."))
            return redirect("cases:case", pk=case.pk)
    return case_detail(request, pk, form)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An attachment: staff who may view the case, or the applicant (and their recorded relatives)."""
    found = CaseAttachment.objects.unrestricted().select_related("case").filter(pk=pk).first()
    if found is None:
        raise Http404
    if not policy.may_see_as_applicant(request.user, found.case):
        from yinling.registry.accounts import member_for

        me, staff = member_for(request)
        if not (staff and me is not None and me.pk == found.case.retiree_id):
            get_scoped_or_404(Case, request.user, "view", pk=found.case_id)
    try:
        return FileResponse(found.file.open("rb"), as_attachment=found.kind == "pdf", filename=found.name)
    except (OSError, ValueError) as exc:
        raise Http404 from exc


@login_required
def workdays(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, WorkdayOverride, "view"):
        raise PermissionDenied
    may_add = has_anywhere(request.user, WorkdayOverride, "add")
    form = WorkdayForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            form.save()  # audited by the model's registration (plain CRUD)
            messages.success(request, _("Saved."))
            return redirect("cases:workday_list")
    return render(
        request,
        "cases/staff/workdays.html",
        {
            "rows": list(WorkdayOverride.objects.all()[:500]),
            "form": form,
            "title": _("Working-day calendar"),
            "breadcrumbs": _trail(_("Working-day calendar")),
        },
    )

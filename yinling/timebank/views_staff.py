"""Time bank staff pages: members, requests, the ledger, pools, monthly reports, statements and exports.

Staff reads go through Model.objects.restrict(user, action): outside the user's subtrees a
record does not exist (404), inside them a missing permission is 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yinling.core import refusals
from yinling.core.scoping import can, can_at, has_anywhere
from yinling.core.views import ObjectListView
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.timebank import ledger, services
from yinling.timebank.filters import MemberFilterSet, RequestFilterSet, TransferFilterSet
from yinling.timebank.forms import (
    AssignForm,
    ConfirmForm,
    EnrolForm,
    GrantForm,
    ReasonForm,
    ReportForm,
    ResolveForm,
    StaffNeedForm,
)
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Offer, Rule, ServiceRequest, Transfer
from yinling.timebank.tables import MemberTable, RequestTable, TransferTable
from yinling.timebank.views_shared import CRUMB, movement_lines, statement_pdf, statement_response


def _require_staff(request: HttpRequest) -> None:
    if not has_anywhere(request.user, Account, "view"):
        raise PermissionDenied


def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (has_anywhere(user, Account, "view") or has_anywhere(user, ServiceRequest, "view")):
        raise PermissionDenied
    members = Account.objects.restrict(user, "view").filter(kind=Account.Kind.MEMBER)
    needs = ServiceRequest.objects.restrict(user, "view")
    pools = Account.objects.restrict(user, "view").filter(kind=Account.Kind.POOL)
    figures = [
        (_("Members"), members.count(), reverse("timebank:members")),
        (
            _("Service providers"),
            members.filter(is_provider=True).count(),
            reverse("timebank:members") + "?provider=true",
        ),
        (_("Open needs"), needs.filter(status="open").count(), reverse("timebank:requests") + "?status=open"),
        (
            _("Awaiting confirmation"),
            needs.filter(status="reported").count(),
            reverse("timebank:requests") + "?status=reported",
        ),
        (
            _("Disputes to settle"),
            needs.filter(status="disputed").count(),
            reverse("timebank:requests") + "?status=disputed",
        ),
        (_("Hours in pools"), pools.aggregate(s=Sum("balance"))["s"] or 0, reverse("timebank:pools")),
    ]
    return render(
        request,
        "timebank/staff_home.html",
        {
            "figures": figures,
            "breadcrumbs": [(CRUMB, "")],
            "can_report": has_anywhere(user, Account, "view"),
            "can_offers": has_anywhere(user, Offer, "view"),
            "can_rules": has_anywhere(user, Rule, "view"),
        },
    )


class MemberListView(ObjectListView):
    model = Account
    table_class = MemberTable
    filterset_class = MemberFilterSet
    title = gettext_lazy("Time bank members")
    add_url_name = "timebank:enrol"
    export_columns = [  # Chinese headings: see views_shared._statement_export()
        ("姓名", "retiree.name"),
        ("管理单位", "retiree.org.name"),
        ("余额（小时）", "balance"),
        ("服务者", "is_provider"),
        ("加入时间", "joined_at"),
    ]

    def get_queryset(self) -> QuerySet[Account]:
        return super().get_queryset().filter(kind=Account.Kind.MEMBER).select_related("retiree__org", "org")

    def export_queryset(self) -> QuerySet[Account]:
        return super().export_queryset().filter(kind=Account.Kind.MEMBER).select_related("retiree__org")

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [(str(CRUMB), reverse("timebank:home")), (str(self.title), "")]


class RequestListView(ObjectListView):
    model = ServiceRequest
    table_class = RequestTable
    filterset_class = RequestFilterSet
    title = gettext_lazy("Needs and services")
    add_url_name = "timebank:request_add"
    tab_filter = "status"  # a tab per status, with its count
    export_columns = [  # Chinese headings: see views_shared._statement_export()
        ("编号", "id"),
        ("类别", "get_category_display"),
        ("受助人", "recipient.retiree.name"),
        ("服务者", "provider.retiree.name"),
        ("社区", "community"),
        ("开始", "starts_at"),
        ("预计时长", "expected_hours"),
        ("实际时长", "actual_hours"),
        ("状态", "get_status_display"),
        ("评分", "rating"),
        ("互助池支付", "paid_by_pool"),
        ("单位", "org.name"),
    ]

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return super().get_queryset().select_related("recipient__retiree", "provider__retiree", "org")

    def export_queryset(self) -> QuerySet[ServiceRequest]:
        return super().export_queryset().select_related("recipient__retiree", "provider__retiree", "org")

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [(str(CRUMB), reverse("timebank:home")), (str(self.title), "")]


def scoped_transfers(user: Any, action: str | None) -> QuerySet[Transfer]:
    """Transfers touching an account in the user's scope (transfers have no org of their own)."""
    return Transfer.objects.restrict(user, action)


class LedgerView(ObjectListView):
    model = Transfer
    table_class = TransferTable
    filterset_class = TransferFilterSet
    title = gettext_lazy("Ledger")
    export_columns = [  # Chinese headings: see views_shared._statement_export()
        ("编号", "id"),
        ("时间", "created_at"),
        ("类别", "get_kind_display"),
        ("转出", "from_account"),
        ("转入", "to_account"),
        ("时长", "amount"),
        ("事由", "reason"),
        ("文号", "document_no"),
        ("代办", "on_behalf"),
        ("冲正对象", "reverses_id"),
    ]

    def scoped(self, action: str | None = "view") -> QuerySet[Any]:
        related = ("from_account__retiree", "from_account__org", "to_account__retiree", "to_account__org")
        return scoped_transfers(self.request.user, action).select_related(*related)

    def require_anywhere(self, action: str) -> None:
        if not has_anywhere(self.request.user, Account, action):
            raise PermissionDenied

    def get_queryset(self) -> QuerySet[Transfer]:
        reversed_ = Transfer.objects.unrestricted().filter(reverses=OuterRef("pk"))  # of rows already scoped
        return self.scoped("view").annotate(is_reversed=Exists(reversed_)).order_by("-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_export"] = has_anywhere(self.request.user, Account, "export")
        return ctx

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [(str(CRUMB), reverse("timebank:home")), (str(self.title), "")]


def _member_account(request: HttpRequest, retiree_pk: int, action: str) -> Account:
    account = get_object_or_404(
        Account.objects.restrict(request.user, None)
        .filter(kind=Account.Kind.MEMBER)
        .select_related("retiree__org", "org"),
        retiree_id=retiree_pk,
    )
    if not can(request.user, action, account):
        raise PermissionDenied
    return account


@login_required
def member_detail(request: HttpRequest, retiree: int) -> HttpResponse:
    account = _member_account(request, retiree, "view")
    person = account.retiree
    assert person is not None
    user = request.user
    rule = services.rule_for(person.org)
    return render(
        request,
        "timebank/member_detail.html",
        {
            "account": account,
            "person": person,
            "rule": rule,
            "is_priority": services.is_priority(person, rule),
            "provider_problem": services.provider_problem(person, rule),
            "pending": services.pending_for(account),
            "lines": movement_lines(account.movements.order_by("-id")[:20]),
            "can_change": can(user, "change", account),
            "can_grant": can(user, "grant", account),
            "can_act_for": can(user, "act_for", person),
            "can_post": can_at(user, ServiceRequest, "add", person.org),
            "grant_form": GrantForm(),
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Time bank members"), reverse("timebank:members")),
                (person.name, ""),
            ],
        },
    )


@login_required
def member_statement(request: HttpRequest, retiree: int) -> HttpResponseBase:
    account = _member_account(request, retiree, "view")
    assert account.retiree is not None
    return statement_response(request, account.retiree, account, staff=True)


@login_required
@require_GET  # a download writes an export record: never on a POST or a HEAD
def member_statement_pdf(request: HttpRequest, retiree: int) -> HttpResponseBase:
    account = _member_account(request, retiree, "view")
    assert account.retiree is not None
    return statement_pdf(request, account.retiree, account, staff=True)


@login_required
@require_POST
def member_provider(request: HttpRequest, retiree: int) -> HttpResponse:
    account = _member_account(request, retiree, "change")
    assert account.retiree is not None
    try:
        services.do_set_provider(by=request.user, retiree=account.retiree, provider=request.POST.get("provider") == "1")
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("timebank:member", retiree=retiree)


@login_required
@require_POST
def member_grant(request: HttpRequest, retiree: int) -> HttpResponse:
    account = _member_account(request, retiree, "grant")
    assert account.retiree is not None
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the hours (in half hours) and a reason."))
        return redirect("timebank:member", retiree=retiree)
    try:
        posted = services.do_grant(
            by=request.user,
            retiree=account.retiree,
            hours=form.cleaned_data["hours"],
            reason=form.cleaned_data["reason"],
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        _granted(request, posted, account.retiree.name)
    return redirect("timebank:member", retiree=retiree)


def _granted(request: HttpRequest, posted: ledger.Posted, name: str) -> None:
    messages.success(
        request, _("Granted %(hours)s hours to %(name)s.") % {"hours": posted.transfer.amount, "name": name}
    )
    if posted.overflow:
        messages.info(
            request,
            _("%(name)s reached the balance cap: %(hours)s hours went back to the pool.")
            % {"name": name, "hours": posted.overflow.amount},
        )


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Find people in the registry who are not members yet and enrol them (on their behalf)."""
    if not has_anywhere(request.user, Account, "add"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    people: list[Retiree] = []
    if query:
        from yinling.registry.filters import search_q

        people = list(
            Retiree.objects.restrict(request.user, perm="timebank.add_account")
            .filter(search_q(query), is_deleted=False, status="active")
            .exclude(timebank_account__isnull=False)
            .select_related("org")[:30]
        )
    return render(
        request,
        "timebank/enrol.html",
        {
            "query": query,
            "people": people,
            "form": EnrolForm(),
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Time bank members"), reverse("timebank:members")),
                (_("Enrol"), ""),
            ],
        },
    )


@login_required
@require_POST
def enrol_one(request: HttpRequest, retiree: int) -> HttpResponse:
    person = get_object_or_404(
        Retiree.objects.restrict(request.user, None).filter(is_deleted=False).select_related("org"), pk=retiree
    )
    if not can_at(request.user, Account, "add", person.org):
        raise PermissionDenied
    form = EnrolForm(request.POST)
    as_provider = form.is_valid() and form.cleaned_data["as_provider"]
    try:
        services.do_join(by=request.user, retiree=person, as_provider=as_provider)
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect(reverse("timebank:enrol") + f"?q={person.name}")
    messages.success(request, _("%(name)s is now a member.") % {"name": person.name})
    return redirect("timebank:member", retiree=person.pk)


def _staff_need(request: HttpRequest, pk: int, action: str) -> ServiceRequest:
    need = get_object_or_404(
        ServiceRequest.objects.restrict(request.user, None).select_related(
            "recipient__retiree", "provider__retiree", "org", "posted_by", "confirmed_by"
        ),
        pk=pk,
    )
    if not can(request.user, action, need):
        raise PermissionDenied
    return need


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = _staff_need(request, pk, "view")
    transfers = need.transfers.select_related("from_account__retiree", "to_account__retiree", "from_account__org")
    return render(
        request,
        "timebank/request_detail.html",
        {
            "need": need,
            "transfers": transfers,
            "can_change": can(request.user, "change", need),
            "resolve_form": ResolveForm(initial={"hours": need.actual_hours}),
            "assign_form": AssignForm(people=_assignable(request), auto_id="assign-%s"),
            "confirm_form": ConfirmForm(),
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Needs and services"), reverse("timebank:requests")),
                (f"#{need.pk}", ""),
            ],
        },
    )


@login_required
def request_add(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, ServiceRequest, "add"):
        raise PermissionDenied
    people = Retiree.objects.restrict(request.user, perm="timebank.add_servicerequest").select_related("org")
    initial = {}
    chosen = None
    named = acting.as_id(request.GET.get("recipient"))  # from the member page's "Post a need for them"
    if named is not None:
        chosen = people.filter(pk=named).first()
        initial["recipient"] = chosen.pk if chosen else None
    form = StaffNeedForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        recipient = form.cleaned_data["recipient"]
        try:
            with transaction.atomic():
                need = services.do_post_need(by=request.user, recipient=recipient, **form.service_values())
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(
                request, _("Posted need No. %(no)s for %(name)s.") % {"no": need.pk, "name": recipient.name}
            )
            return redirect("timebank:request", pk=need.pk)
    return render(
        request,
        "timebank/request_form.html",
        {
            "form": form,
            "chosen": chosen,
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Needs and services"), reverse("timebank:requests")),
                (_("Post a need for a member"), ""),
            ],
        },
    )


@login_required
@require_POST
def request_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    need = _staff_need(request, pk, "change")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the hours to pay (0 for none) and how it was settled."))
        return redirect("timebank:request", pk=pk)
    try:
        services.do_resolve(
            by=request.user, need=need, hours=form.cleaned_data["hours"], note=form.cleaned_data["note"]
        )
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The dispute was settled."))
    return redirect("timebank:request", pk=pk)


def _assignable(request: HttpRequest) -> QuerySet[Retiree]:
    """Whom staff may choose as a provider: people they may view (do_accept says who may not serve); the API's
    accept takes the same."""
    return Retiree.objects.restrict(request.user, "view").select_related("org")


@login_required
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff match an open need with a provider (on the provider's behalf)."""
    need = _staff_need(request, pk, "change")
    form = AssignForm(request.POST, people=_assignable(request))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("timebank:request", pk=pk)
    provider = form.cleaned_data["provider"]
    try:
        services.do_accept(by=request.user, need=need, provider=provider)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("%(name)s will provide this service.") % {"name": provider.name})
    return redirect("timebank:request", pk=pk)


@login_required
@require_POST
def request_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record the hours for a provider who is never online."""
    need = _staff_need(request, pk, "change")
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.do_report(by=request.user, need=need, hours=form.cleaned_data["hours"])
        except Refused as exc:
            refusals.flash(request, exc)
        else:
            messages.success(request, _("Hours recorded."))
    else:
        messages.error(request, _("Enter the hours in half hours, for example 1.5."))
    return redirect("timebank:request", pk=pk)


def _reversible(request: HttpRequest, pk: int) -> Transfer:
    """404 unless the transfer touches the user's scope; 403 unless they may reverse on every account it touches."""
    transfer = get_object_or_404(
        scoped_transfers(request.user, None).select_related(
            "from_account__org", "to_account__org", "from_account__retiree", "to_account__retiree"
        ),
        pk=pk,
    )
    for account in (transfer.from_account, transfer.to_account):
        org = account.org
        if org is not None and not can_at(request.user, Account, "reverse", org):
            raise PermissionDenied
    return transfer


@login_required
def reverse_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _reversible(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = ledger.reverse(transfer, by=request.user, reason=form.cleaned_data["reason"])
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Reversed with transfer No. %(no)s.") % {"no": reversal.pk})
            return redirect("timebank:ledger")
    return render(
        request,
        "timebank/reverse.html",
        {
            "transfer": transfer,
            "form": form,
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Ledger"), reverse("timebank:ledger")),
                (_("Reverse"), ""),
            ],
        },
    )

"""Time bank pages.

Members (a signed-in retiree, or staff acting for one — 代办) get phone-sized pages in
elder mode: their balance, what is pending, the needs board, their services, confirming
with a rating, donating and giving to relatives, and a printable statement. Staff get the
desk pages: members, requests, the ledger, pools, monthly reports, statements and exports.

Staff reads go through Model.objects.restrict(user, action): outside the user's subtrees a
record does not exist (404), inside them a missing permission is 403. Member pages read
only the member's own account and the open needs near them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.accounts.permissions import has_perm_at
from yinling.core.exports import xlsx_response
from yinling.core.scoping import can, has_anywhere, user_paths
from yinling.core.views import ObjectListView
from yinling.orgs.models import Org
from yinling.registry.accounts import acting_for
from yinling.registry.models import Retiree
from yinling.timebank import ledger, reports, services
from yinling.timebank.filters import MemberFilterSet, RequestFilterSet, TransferFilterSet, bureaus_for
from yinling.timebank.forms import (
    ConfirmForm,
    DonateForm,
    EnrolForm,
    GiftForm,
    GrantForm,
    IssueForm,
    JoinForm,
    NeedForm,
    OptionalReasonForm,
    ReasonForm,
    ReportFilterForm,
    ReportForm,
    ResolveForm,
    StaffNeedForm,
    StatementForm,
)
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Account, Movement, Offer, Rule, ServiceRequest, Transfer
from yinling.timebank.tables import MemberTable, RequestTable, TransferTable

STATEMENT_PAGE = 200
CRUMB = gettext_lazy("Time bank")


# --- who the member pages are for ---------------------------------------------------------------


def member_for(request: HttpRequest) -> tuple[Retiree | None, bool]:
    """(the member these pages are for, whether staff act on their behalf)."""
    me = services.retiree_of(request.user)
    if me is not None:
        return me, False
    acting = acting_for(request)
    if acting:
        retiree = (
            Retiree.objects.restrict(request.user, None)
            .filter(pk=int(acting.get("id") or 0), is_deleted=False)
            .select_related("org")
            .first()
        )
        if retiree is not None and can(request.user, "act_for", retiree):
            return retiree, True
    return None, False


def elder_mode(request: HttpRequest) -> bool:
    """Member pages start in elder mode for retirees, unless this browser switched it off."""
    user: Any = request.user
    if getattr(user, "kind", "") == "retiree":
        return bool(user.elder_mode) or request.COOKIES.get("elder_mode") != "0"
    return bool(getattr(user, "elder_mode", False))


def member_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("elder_mode", elder_mode(request))
    return render(request, template, context, status=status)


def _require_member(request: HttpRequest) -> tuple[Retiree, Account | None, bool]:
    me, on_behalf = member_for(request)
    if me is None:
        raise Http404
    return me, services.member_account(me), on_behalf


def _refused(request: HttpRequest, exc: Refused) -> None:
    messages.error(request, exc.message)


# --- member pages -------------------------------------------------------------------------------


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


LINE_FIELDS = (
    "id",
    "amount",
    "balance_after",
    "created_at",
    "transfer_id",
    "transfer__kind",
    "transfer__reason",
    "transfer__on_behalf",
    "transfer__from_account__kind",
    "transfer__from_account__retiree__name",
    "transfer__to_account__kind",
    "transfer__to_account__retiree__name",
)
KIND_LABELS = dict(Transfer.Kind.choices)


def movement_lines(movements: QuerySet[Movement]) -> list[dict[str, Any]]:
    """Movements as a member reads them: what, with whom, how much, the balance after.

    Read as plain values (one query, only the names of the people on the other side): loading
    the accounts' registry records would decrypt their sensitive fields on every line.
    """
    pool, bureau = _("the mutual-aid pool"), _("the bureau")
    lines = []
    for row in movements.values(*LINE_FIELDS):
        amount = row["amount"]
        side = "to" if amount < 0 else "from"
        kind = row[f"transfer__{side}_account__kind"]
        if kind == Account.Kind.MEMBER:
            party = row[f"transfer__{side}_account__retiree__name"] or "—"
        else:
            party = pool if kind == Account.Kind.POOL else bureau
        lines.append(
            {
                "id": row["id"],
                "at": row["created_at"],
                "kind": KIND_LABELS.get(row["transfer__kind"], row["transfer__kind"]),
                "party": party,
                "amount": amount,
                "magnitude": abs(amount),
                "credit": amount > 0,
                "balance_after": row["balance_after"],
                "reason": row["transfer__reason"],
                "on_behalf": row["transfer__on_behalf"],
                "transfer": row["transfer_id"],
            }
        )
    return lines


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
            _refused(request, exc)
        else:
            messages.success(request, _("Welcome to the time bank."))
    return redirect("timebank:home")


@login_required
def post_need(request: HttpRequest) -> HttpResponse:
    me, _account, on_behalf = _require_member(request)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.do_post_need(by=request.user, recipient=me, **form.service_values())
        except Refused as exc:
            form.add_error(None, exc.message)
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
        _refused(request, exc)
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
        _refused(request, exc)
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
            form.add_error(None, exc.message)
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
        {"need": need, "form": form, "on_behalf": on_behalf, "as_staff": as_staff},
    )


@login_required
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    need, on_behalf, as_staff = _need_for_recipient_step(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_dispute(by=request.user, need=need, reason=form.cleaned_data["reason"])
        except Refused as exc:
            form.add_error(None, exc.message)
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
            form.add_error(None, exc.message)
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
        },
    )


@login_required
@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    need, _on_behalf, as_staff = _need_for_recipient_step(request, pk)
    try:
        services.do_no_show(by=request.user, need=need)
    except Refused as exc:
        _refused(request, exc)
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
            form.add_error("hours", exc.message)
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
            form.add_error("hours", exc.message)
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
    return _statement(request, me, account, staff=False)


# --- statements ----------------------------------------------------------------------------------


def _statement(request: HttpRequest, retiree: Retiree, account: Account, *, staff: bool) -> HttpResponseBase:
    """A printable statement: opening and closing balance, every movement in the period, paged."""
    form = StatementForm(request.GET or None)
    since = until = None
    if form.is_valid():
        since, until = form.cleaned_data.get("since"), form.cleaned_data.get("until")
    movements = account.movements.all()
    if since:
        movements = movements.filter(created_at__date__gte=since)
    if until:
        movements = movements.filter(created_at__date__lte=until)
    if request.GET.get("export") == "xlsx":
        if staff and not can(request.user, "export", account):
            raise PermissionDenied
        return _statement_export(retiree, account, movements)
    # Count and totals in one query; the page's lines in another.
    totals = movements.aggregate(
        n=Count("id"), credits=Sum("amount", filter=Q(amount__gt=0)), debits=Sum("amount", filter=Q(amount__lt=0))
    )
    paginator = Paginator(movements.order_by("id").values_list("id", flat=True), STATEMENT_PAGE)
    paginator.count = totals["n"]  # already counted
    page = paginator.get_page(request.GET.get("page"))
    bottom = (page.number - 1) * STATEMENT_PAGE
    # The page's keys first (from the account's index alone), then their lines: the joins run
    # for 200 rows, never for the whole account, whatever the planner thinks of its size.
    ids = list(movements.order_by("id").values_list("id", flat=True)[bottom : bottom + STATEMENT_PAGE])
    lines = movement_lines(account.movements.filter(id__in=ids).order_by("id"))
    if lines:
        first, last = lines[0], lines[-1]
        page_opening, page_closing = first["balance_after"] - first["amount"], last["balance_after"]
    else:
        page_opening = page_closing = _balance_before(account, since)
    opening = _balance_before(account, since)
    closing = opening + (totals["credits"] or 0) + (totals["debits"] or 0)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "timebank/statement.html",
        {
            "retiree": retiree,
            "account": account,
            "form": form,
            "since": since,
            "until": until,
            "page": page,
            "lines": lines,
            "opening": opening,
            "closing": closing,
            "page_opening": page_opening,
            "page_closing": page_closing,
            "credits": totals["credits"] or 0,
            "debits": -(totals["debits"] or 0),
            "printed_at": timezone.now(),
            "query": query.urlencode(),
            "staff": staff,
            "elder_mode": elder_mode(request) if not staff else False,
            "can_export": not staff or can(request.user, "export", account),
            "breadcrumbs": [(CRUMB, reverse("timebank:home")), (_("Statement"), "")],
        },
    )


def _balance_before(account: Account, since: Any) -> Decimal:
    if not since:
        return Decimal("0")
    last = (
        account.movements.filter(created_at__date__lt=since)
        .order_by("-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    return last if last is not None else Decimal("0")


def _statement_export(retiree: Retiree, account: Account, movements: QuerySet[Movement]) -> HttpResponseBase:
    def rows() -> Any:
        ordered = movements.order_by("id")
        last = 0
        while True:  # by key, 2,000 at a time
            lines = movement_lines(ordered.filter(id__gt=last)[:2000])
            if not lines:
                return
            for line in lines:
                yield [
                    line["at"],
                    line["kind"],
                    str(line["party"]),
                    float(line["amount"]),
                    float(line["balance_after"]),
                    line["reason"],
                ]
            last = lines[-1]["id"]

    # Exports are Chinese documents exchanged between bureaus (like the registry's template): the column
    # headings and sheet titles here and in the lists' export_columns are not translated.
    return xlsx_response(
        f"timebank-statement-{retiree.pk}.xlsx",
        ["时间", "类别", "对方", "时长", "余额", "事由"],
        rows(),
        object_type="timebank.account",
        org_path=retiree.org.path,
        sheet_title=f"{retiree.name} 时间银行对账单",
        extra={"retiree": retiree.pk},
    )


# --- staff pages ---------------------------------------------------------------------------------


def _require_staff(request: HttpRequest, perm: str = "timebank.view_account") -> None:
    if not user_paths(request.user, perm):
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
    export_columns = [  # Chinese headings: see _statement_export()
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
    export_columns = [  # Chinese headings: see _statement_export()
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
    export_columns = [  # Chinese headings: see _statement_export()
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
            "can_post": can(user, "add", ServiceRequest(org=person.org)),
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
    return _statement(request, account.retiree, account, staff=True)


@login_required
@require_POST
def member_provider(request: HttpRequest, retiree: int) -> HttpResponse:
    account = _member_account(request, retiree, "change")
    assert account.retiree is not None
    try:
        services.do_set_provider(by=request.user, retiree=account.retiree, provider=request.POST.get("provider") == "1")
    except Refused as exc:
        _refused(request, exc)
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
        _refused(request, exc)
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
    if not can(request.user, "add", Account(org=person.org)):
        raise PermissionDenied
    form = EnrolForm(request.POST)
    as_provider = form.is_valid() and form.cleaned_data["as_provider"]
    try:
        services.do_join(by=request.user, retiree=person, as_provider=as_provider)
    except Refused as exc:
        _refused(request, exc)
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
    if request.GET.get("recipient", "").isdigit():
        chosen = people.filter(pk=int(request.GET["recipient"])).first()
        initial["recipient"] = chosen.pk if chosen else None
    form = StaffNeedForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        recipient = form.cleaned_data["recipient"]
        try:
            with transaction.atomic():
                need = services.do_post_need(by=request.user, recipient=recipient, **form.service_values())
        except Refused as exc:
            form.add_error(None, exc.message)
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
        _refused(request, exc)
    else:
        messages.success(request, _("The dispute was settled."))
    return redirect("timebank:request", pk=pk)


@login_required
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff match an open need with a provider (on the provider's behalf)."""
    need = _staff_need(request, pk, "change")
    provider = Retiree.objects.restrict(request.user, None).filter(pk=request.POST.get("provider") or 0).first()
    if provider is None:
        messages.error(request, _("No such person in your area."))
        return redirect("timebank:request", pk=pk)
    try:
        services.do_accept(by=request.user, need=need, provider=provider)
    except Refused as exc:
        _refused(request, exc)
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
            _refused(request, exc)
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
        if org is not None and not has_perm_at(request.user, "timebank.reverse_account", org.path):
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
            form.add_error(None, exc.message)
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


def _pool_org(request: HttpRequest, code: str, perm: str = "timebank.view_account") -> Org:
    org = get_object_or_404(Org.objects.restrict(request.user, None), code=code)
    if not has_perm_at(request.user, perm, org.path):
        raise PermissionDenied
    return org


def _pool_people(request: HttpRequest, org: Org) -> QuerySet[Retiree]:
    """Members under the pool's org to whom the user may grant."""
    return (
        Retiree.objects.restrict(request.user, perm="timebank.grant_account")
        .filter(org__path__startswith=org.path, timebank_account__isnull=False, is_deleted=False)
        .order_by("name_pinyin", "id")
    )


@login_required
def pool_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = _pool_org(request, code)
    pool = Account.objects.unrestricted().filter(kind=Account.Kind.POOL, org=org).first()
    lines = []
    if pool is not None:
        lines = movement_lines(pool.movements.order_by("-id")[:30])
    serving = services.scheme_pool(org) if pool is None else pool
    return render(
        request,
        "timebank/pool_detail.html",
        {
            "org": org,
            "pool": pool,
            "serving": serving if serving and serving.pk and serving.org_id != org.pk else None,
            "lines": lines,
            "can_issue": has_perm_at(request.user, "timebank.issue_account", org.path),
            "can_grant": has_perm_at(request.user, "timebank.grant_account", org.path),
            "can_view_rule": has_perm_at(request.user, "timebank.view_rule", org.path),
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
    org = _pool_org(request, code, "timebank.issue_account")
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the hours, a reason and the document number."))
        return redirect("timebank:pool", code=code)
    try:
        services.do_issue(by=request.user, org=org, **form.cleaned_data)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Issued %(hours)s hours into the pool.") % form.cleaned_data)
    return redirect("timebank:pool", code=code)


@login_required
@require_POST
def pool_grant(request: HttpRequest, code: str) -> HttpResponse:
    org = _pool_org(request, code, "timebank.grant_account")
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
        _refused(request, exc)
    else:
        _granted(request, posted, person.name)
    return redirect("timebank:pool", code=code)


@login_required
def monthly_report(request: HttpRequest) -> HttpResponseBase:
    _require_staff(request)
    orgs = bureaus_for(request.user, "timebank.view_account")
    form = ReportFilterForm(request.GET or None, orgs=orgs)
    month, org = reports.this_month(), orgs.order_by("depth", "path").first()
    if form.is_valid():
        month = form.cleaned_data.get("month") or month
        org = form.cleaned_data.get("org") or org
    if org is None:
        raise PermissionDenied
    rows = reports.monthly(request.user, org, month)
    if request.GET.get("export") == "xlsx":
        if not has_perm_at(request.user, "timebank.export_account", org.path):
            raise PermissionDenied
        return xlsx_response(
            f"timebank-report-{org.code}-{month:%Y-%m}.xlsx",
            reports.HEADERS,
            (row.cells() for row in rows),
            object_type="timebank.report",
            org_path=org.path,
            filters={"org": org.code, "month": f"{month:%Y-%m}"},
            sheet_title=f"时间银行月报 {month:%Y-%m}",  # a Chinese document, like reports.HEADERS
        )
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
            "can_export": has_perm_at(request.user, "timebank.export_account", org.path),
            "breadcrumbs": [(CRUMB, reverse("timebank:home")), (_("Monthly report"), "")],
        },
    )

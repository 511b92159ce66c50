"""What the member pages and the staff pages share: the breadcrumb, elder mode, refusal messages,
movement lines as a member reads them, and the printable statement (member's own, or staff's copy).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinling.core.exports import xlsx_response
from yinling.core.member_pages import elder_mode
from yinling.core.pdf import render_pdf
from yinling.core.scoping import can
from yinling.registry.models import Retiree
from yinling.timebank.forms import (
    StatementForm,
)
from yinling.timebank.models import Account, Movement, Transfer

STATEMENT_PAGE = 200
# A PDF holds the whole period at once, rendered inside the request: about 35 lines an A4 page and
# 5.5 ms of CPU a line (benchmarks/pdf_render.py), so 500 lines is some 15 pages and 3 s. A longer
# period goes back to the page, which asks for a shorter one; a year of daily services still fits.
STATEMENT_PDF_LINES = 500


CRUMB = gettext_lazy("Time bank")




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


def _period(request: HttpRequest, account: Account) -> tuple[StatementForm, Any, Any, QuerySet[Movement]]:
    """The statement's period from the query (both ends optional) and the account's movements in it."""
    form = StatementForm(request.GET or None)
    since = until = None
    if form.is_valid():
        since, until = form.cleaned_data.get("since"), form.cleaned_data.get("until")
    movements = account.movements.all()
    if since:
        movements = movements.filter(created_at__date__gte=since)
    if until:
        movements = movements.filter(created_at__date__lte=until)
    return form, since, until, movements


def statement_response(request: HttpRequest, retiree: Retiree, account: Account, *, staff: bool) -> HttpResponseBase:
    """A printable statement: opening and closing balance, every movement in the period, paged."""
    form, since, until, movements = _period(request, account)
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
            "pdf_url": _pdf_url(request, retiree, staff=staff),
            "breadcrumbs": [(CRUMB, reverse("timebank:home")), (_("Statement"), "")],
        },
    )


def _pdf_url(request: HttpRequest, retiree: Retiree, *, staff: bool) -> str:
    url = reverse("timebank:member_statement_pdf", args=[retiree.pk]) if staff else reverse("timebank:statement_pdf")
    period = {k: str(request.GET[k]) for k in ("since", "until") if request.GET.get(k)}
    return f"{url}?{urlencode(period)}" if period else url


def statement_pdf(request: HttpRequest, retiree: Retiree, account: Account, *, staff: bool) -> HttpResponseBase:
    """The statement as an A4 PDF: the whole period on as many pages as it takes, audited as an export.

    Who may have it is decided by the caller exactly as for the page (the member and whoever acts for
    them; staff in their subtree), except that staff need the export right, as for the spreadsheet."""
    if staff and not can(request.user, "export", account):
        raise PermissionDenied
    _form, since, until, movements = _period(request, account)
    totals = movements.aggregate(
        n=Count("id"), credits=Sum("amount", filter=Q(amount__gt=0)), debits=Sum("amount", filter=Q(amount__lt=0))
    )
    if totals["n"] > STATEMENT_PDF_LINES:
        messages.error(
            request,
            _("This period has %(n)s movements; a PDF statement holds at most %(max)s. Choose a shorter period.")
            % {"n": totals["n"], "max": STATEMENT_PDF_LINES},
        )
        page = reverse("timebank:member_statement", args=[retiree.pk]) if staff else reverse("timebank:statement")
        query = request.GET.urlencode()
        return redirect(f"{page}?{query}" if query else page)
    opening = _balance_before(account, since)
    credits, debits = totals["credits"] or Decimal("0"), totals["debits"] or Decimal("0")
    issued = timezone.localdate()
    return render_pdf(
        request,
        "timebank/statement_pdf.html",
        {
            "retiree": retiree,
            "account": account,
            "since": since,
            "until": until,
            "lines": movement_lines(movements.order_by("id")),
            "opening": opening,
            "credits": credits,
            "debits": -debits,
            "closing": opening + credits + debits,
        },
        title=_("Time bank statement: %(name)s") % {"name": retiree.name},
        filename=f"时间银行对账单-{retiree.name}-{issued:%Y%m%d}.pdf",
        fallback_filename=f"timebank-statement-{retiree.pk}-{issued:%Y%m%d}.pdf",
        org=retiree.org,
        object_type="timebank.account",
        extra={
            "retiree": retiree.pk,
            "rows": totals["n"],
            "filters": {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v},
        },
        issued=issued,
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

"""My classes (the page the notifications link to): every request with its status in plain words, the
waitlist position, an offered seat with its deadline and Accept / Decline, the withdraw button (with a
confirm page), the fee's due date, and the applicant key to find oneself in a lottery's public results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.campus.models import LIVE, Enrolment, Term
from yinling.campus.services import draw, enrol, offers, selectors
from yinling.campus.views_member_common import Whom, check_may_act, local_moment, when_words, whom, whom_or_self
from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.refusals import Refused


def _mine(who: Whom) -> str:
    url = reverse("campus:my_classes")
    return f"{url}?for={who.for_param}" if who.for_param else url


def rows_of(who: Whom) -> list[dict[str, Any]]:
    rows = []
    for item in selectors.enrolments_of(who.subject):
        e: Enrolment = item["enrolment"]
        term = e.term
        rows.append(
            {
                "enrolment": e,
                "section": e.section,
                "status": e.status,
                "status_words": e.get_status_display(),
                "position": item["position"],
                "when": when_words(e.section),
                "live": e.status in LIVE,
                "offered_until": local_moment(e.offered_until),
                "apply_until": local_moment(term.apply_until),
                "key": draw.applicant_key(term.pk, who.subject.pk) if term.mode == Term.Mode.LOTTERY else "",
                "drawn": term.drawn_at is not None,
            }
        )
    return rows


@login_required
def my_classes(request: HttpRequest) -> HttpResponse:
    who, refused = whom_or_self(request, request.GET.get("for"))
    return member_page(request, "campus/member/my_classes.html", {"who": who, "refused": refused, "rows": rows_of(who)})


def _act(request: HttpRequest, pk: int, do: Any, done_message: str) -> HttpResponseBase:
    section = enrol.live_section(pk)
    try:
        who = whom(request, request.POST.get("for"))
    except Refused as exc:
        refusals.flash(request, exc)
        return redirect("campus:my_classes")
    check_may_act(request, who, section)
    try:
        do(by=request.user, section=section, retiree=who.subject, on_behalf=who.on_behalf)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, done_message % {"course": section.course.name})
    return redirect(_mine(who))


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, offers.do_accept, _("You have the seat in “%(course)s”. See you in class!"))


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, offers.do_decline, _("You declined the seat in “%(course)s”; it goes to the next person."))


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: are you sure? (one page, two big buttons); POST: withdraw."""
    if request.method == "POST":
        return _act(request, pk, enrol.do_withdraw, _("You have left “%(course)s”."))
    section = enrol.live_section(pk)
    who, refused = whom_or_self(request, request.GET.get("for"))
    live = (
        Enrolment.objects.unrestricted()
        .filter(section=section, retiree=who.subject, status__in=LIVE)
        .select_related("section__course")
        .first()
    )
    return member_page(
        request,
        "campus/member/withdraw.html",
        {"who": who, "refused": refused, "section": section, "live": live, "back": _mine(who)},
    )

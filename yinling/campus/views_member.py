"""The retiree's class pages (phone first, elder mode): classes near me, one class with one button, and the
one clear answer to a request (enrolled; waitlisted at position n; applied, with the draw's date; or refused
with why). "My classes" and what is done from it (accept, decline, withdraw) are in views_member_mine.py.

The services decide every rule and the refusal's words (the API gives the same ones); whom a request is for
is decided in views_member_common.whom.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yinling.campus import nearby
from yinling.campus.filters import SectionFilterSet
from yinling.campus.models import LIVE, Category, Enrolment, Section, Term
from yinling.campus.services import enrol, rules, selectors
from yinling.campus.views_member_common import (
    Whom,
    card,
    categories,
    check_may_act,
    local_moment,
    nearest_first,
    whom,
    whom_or_self,
)
from yinling.core.member_pages import member_page
from yinling.core.refusals import Refused

SHOWN = 60  # cards on the page: the nearest ones


def _with_for(url: str, who: Whom) -> str:
    return f"{url}?for={who.for_param}" if who.for_param else url


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    """Classes taking requests now, nearest to the home of whom the page is for first."""
    who, refused = whom_or_self(request, request.GET.get("for"))
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    data = {"open": "1", "category": category} if category else {"open": "1"}
    sections = list(SectionFilterSet(data, queryset=selectors.catalogue(request.user), request=request).qs)
    home = nearby.home_of(who.subject)
    cards = nearest_first(sections, home)[:SHOWN]
    return member_page(
        request,
        "campus/member/classes.html",
        {
            "who": who,
            "refused": refused,
            "cards": cards,
            "home_known": home is not None,
            "categories": categories(),
            "category": category,
            "reach": nearby.reach_minutes(),
        },
    )


def _live(section: Section, who: Whom) -> Enrolment | None:
    return (
        Enrolment.objects.unrestricted()
        .filter(section=section, retiree=who.subject, status__in=LIVE)
        .order_by("-pk")
        .first()
    )


def _taken_ranks(section: Section, who: Whom) -> set[int]:
    ranks = (
        Enrolment.objects.unrestricted()
        .filter(term=section.term, retiree=who.subject, status=Enrolment.Status.APPLIED)
        .values_list("rank", flat=True)
    )
    return {r for r in ranks if r is not None}


@login_required
def section(request: HttpRequest, pk: int) -> HttpResponse:
    who, refused = whom_or_self(request, request.GET.get("for"))
    found = enrol.live_section(pk)
    if found.term.ends < timezone.localdate() or found.site.is_deleted:
        raise Http404  # a class of a term that is over is no longer in the catalogue
    live = _live(found, who)
    term = found.term
    lottery = term.mode == Term.Mode.LOTTERY
    taken = _taken_ranks(found, who) if lottery else set()
    ranks = [r for r in range(1, term.choices + 1) if r not in taken] if lottery else []
    is_open = rules.window_open(term)
    return member_page(
        request,
        "campus/member/section.html",
        {
            "who": who,
            "refused": refused,
            "card": card(found, nearby.home_of(who.subject)),
            "section": found,
            "term": term,
            "lottery": lottery,
            "ranks": ranks,
            "live": live,
            "answer": enrol.answer_for(live) if live else None,
            "is_open": is_open,
            "apply_until": local_moment(term.apply_until),
        },
    )


@login_required
@require_POST
def enrol_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = enrol.live_section(pk)
    named = request.POST.get("for")
    try:
        who = whom(request, named)
    except Refused as exc:
        return _answer_page(request, found, whom(request, None), None, exc)
    check_may_act(request, who, found)
    rank_text = request.POST.get("rank", "")
    rank = int(rank_text) if rank_text.isdigit() and len(rank_text) < 4 else None
    try:
        enrol.do_enrol(by=request.user, section=found, retiree=who.subject, on_behalf=who.on_behalf, rank=rank)
    except Refused as exc:
        return _answer_page(request, found, who, None, exc)
    return redirect(_with_for(reverse("campus:answer", args=[found.pk]), who))


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer to a request for this class, read from the records (so it can be opened again)."""
    found = enrol.live_section(pk)
    who, refused = whom_or_self(request, request.GET.get("for"))
    return _answer_page(request, found, who, _live(found, who), refused)


def _answer_page(
    request: HttpRequest, found: Section, who: Whom, live: Enrolment | None, refused: Refused | None
) -> HttpResponse:
    return member_page(
        request,
        "campus/member/answer.html",
        {
            "who": who,
            "section": found,
            "card": card(found, nearby.home_of(who.subject)),
            "refused": refused,
            "live": live,
            "answer": enrol.answer_for(live) if live else None,
            "apply_until": local_moment(found.term.apply_until),
            "offered_until": local_moment(live.offered_until) if live else "",
        },
        status=409 if refused is not None else 200,
    )

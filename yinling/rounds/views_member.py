"""The retiree's pages (elder mode, phone first): the open round's question with two big buttons, for
themselves or for a parent the registry records as their relative.

An entry id that is not the member's own nor a relative's in an open round is 404, whether it exists or not.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.refusals import Refused
from yinling.registry import acting
from yinling.rounds.forms import NeedsForm
from yinling.rounds.models import EntryStatus, RoundEntry
from yinling.rounds.services import do_record_entry, selectors


def _mine(request: HttpRequest, epk: int) -> RoundEntry:
    found = selectors.member_entry(request.user, epk)
    if found is None:
        raise Http404
    return found


def _is_me(request: HttpRequest, entry: RoundEntry) -> bool:
    me = acting.retiree_of(request.user)
    return me is not None and me.pk == entry.retiree_id


@login_required
def me(request: HttpRequest) -> HttpResponseBase:
    """平安报: the open questions for me and my family; staff go to the rounds list."""
    if acting.retiree_of(request.user) is None:
        return redirect("rounds:list")
    entries = selectors.member_questions(request.user)
    me_record = acting.retiree_of(request.user)
    return member_page(
        request,
        "rounds/member/me.html",
        {
            "entries": entries,
            "me_id": me_record.pk if me_record else None,
            "breadcrumbs": [(_("平安报"), "")],
        },
    )


@login_required
def answer(request: HttpRequest, epk: int) -> HttpResponseBase:
    """The question, with two big buttons: 我平安 (a POST here) and 我需要帮助 (the next page)."""
    entry = _mine(request, epk)
    if request.method == "POST":
        try:
            do_record_entry(by=request.user, entry=entry, status=EntryStatus.SAFE)
        except Refused as exc:
            refusals.flash(request, exc)
        else:
            messages.success(request, _("Thank you. We know %(name)s is safe.") % {"name": entry.retiree.name})
        return redirect("rounds:me")
    return member_page(
        request,
        "rounds/member/answer.html",
        {
            "entry": entry,
            "for_me": _is_me(request, entry),
            "breadcrumbs": [(_("平安报"), reverse("rounds:me")), (entry.round.title, "")],
        },
    )


@login_required
def help_needed(request: HttpRequest, epk: int) -> HttpResponseBase:
    """我需要帮助: say what, in a few words."""
    entry = _mine(request, epk)
    form = NeedsForm(request.POST or None, auto_id="rn-%s")
    if request.method == "POST" and form.is_valid():
        try:
            do_record_entry(
                by=request.user, entry=entry, status=EntryStatus.NEEDS_HELP, needs=form.cleaned_data["needs"]
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Thank you. Your answer was sent; the bureau will contact you."))
            return redirect("rounds:me")
    return member_page(
        request,
        "rounds/member/help.html",
        {
            "entry": entry,
            "for_me": _is_me(request, entry),
            "form": form,
            "breadcrumbs": [(_("平安报"), reverse("rounds:me")), (entry.round.title, "")],
        },
    )

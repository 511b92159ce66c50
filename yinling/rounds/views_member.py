"""The retiree's pages (elder mode, phone first): the open round's question with two big buttons, for
themselves or for a parent the registry records as their relative. Staff reach them acting for a retiree
(代办, `registry.accounts.member_for`); their answer is then recorded as staff's (a call), and needs their
right to record at the person's org.

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
from yinling.registry.accounts import member_for
from yinling.registry.models import Retiree
from yinling.rounds.forms import NeedsForm
from yinling.rounds.models import EntryStatus, RoundEntry
from yinling.rounds.services import do_record_entry, selectors


def _member(request: HttpRequest) -> tuple[Retiree, bool]:
    me, on_behalf = member_for(request)
    if me is None:
        raise Http404
    return me, on_behalf


def _mine(request: HttpRequest, epk: int) -> tuple[RoundEntry, Retiree, bool]:
    me, on_behalf = _member(request)
    found = selectors.member_entry(me, epk)
    if found is None:
        raise Http404
    return found, me, on_behalf


@login_required
def me(request: HttpRequest) -> HttpResponseBase:
    """平安报: the open questions for me and my family; staff go to the rounds list."""
    me, on_behalf = member_for(request)
    if me is None:
        return redirect("rounds:list")
    return member_page(
        request,
        "rounds/member/me.html",
        {
            "entries": selectors.questions_of(me),
            "me": me,
            "on_behalf": on_behalf,
            "me_id": me.pk,
            "breadcrumbs": [(_("平安报"), "")],
        },
    )


@login_required
def answer(request: HttpRequest, epk: int) -> HttpResponseBase:
    """The question, with two big buttons: 我平安 (a POST here) and 我需要帮助 (the next page)."""
    entry, me, on_behalf = _mine(request, epk)
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
            "for_me": entry.retiree_id == me.pk,
            "me": me,
            "on_behalf": on_behalf,
            "breadcrumbs": [(_("平安报"), reverse("rounds:me")), (entry.round.title, "")],
        },
    )


@login_required
def help_needed(request: HttpRequest, epk: int) -> HttpResponseBase:
    """我需要帮助: say what, in a few words."""
    entry, me, on_behalf = _mine(request, epk)
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
            "for_me": entry.retiree_id == me.pk,
            "me": me,
            "on_behalf": on_behalf,
            "form": form,
            "breadcrumbs": [(_("平安报"), reverse("rounds:me")), (entry.round.title, "")],
        },
    )

"""The retiree's own care page (elder mode, phone first): who visited me and when, and my care contact."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from yinling.care.services import selectors
from yinling.core.member_pages import member_page
from yinling.registry.accounts import member_for


@login_required
def me(request: HttpRequest) -> HttpResponseBase:
    retiree, on_behalf = member_for(request)
    if retiree is None:
        return redirect("care:due")  # staff: their due list
    return member_page(
        request,
        "care/me.html",
        {
            "me": retiree,
            "on_behalf": on_behalf,
            "visits": list(selectors.visits_to(retiree).select_related("retiree")[:20]),
            "contact": selectors.contact_of(retiree),
        },
    )

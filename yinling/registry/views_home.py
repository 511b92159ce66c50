"""A retiree's own start page (core's home page hands retiree accounts to it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yinling.core.tiles import cards_for, tiles_for
from yinling.registry.models import Retiree


def retiree_home(request: HttpRequest) -> HttpResponse:
    """What waits for them first (cards), large tiles for what they came to do, their record in brief,
    and settings and sign-out at the bottom; no staff navigation."""
    user: Any = request.user
    # One's own record: found by the account, not by a staff scope.
    retiree = Retiree.objects.unrestricted().select_related("org").filter(account=user, is_deleted=False).first()
    context = {"retiree": retiree, "tiles": tiles_for(user), "cards": cards_for(user)}
    return render(request, "registry/retiree_home.html", context)

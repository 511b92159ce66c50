"""A retiree's own start page (core's home page hands retiree accounts to it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yinling.registry.models import Retiree


def retiree_home(request: HttpRequest) -> HttpResponse:
    """Their record in brief and a few large buttons; no staff navigation."""
    user: Any = request.user
    # One's own record: found by the account, not by a staff scope.
    retiree = Retiree.objects.unrestricted().select_related("org").filter(account=user, is_deleted=False).first()
    return render(request, "registry/retiree_home.html", {"retiree": retiree})

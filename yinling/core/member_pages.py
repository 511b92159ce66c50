"""What every retiree-facing ("member") page shares: elder mode on by default, and one render helper."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def elder_mode(request: HttpRequest) -> bool:
    """Member pages start in elder mode for retirees, unless this browser switched it off."""
    user: Any = request.user
    if getattr(user, "kind", "") == "retiree":
        return bool(user.elder_mode) or request.COOKIES.get("elder_mode") != "0"
    return bool(getattr(user, "elder_mode", False))


def member_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render a member page: the template gets `elder_mode` unless the view set it."""
    context.setdefault("elder_mode", elder_mode(request))
    return render(request, template, context, status=status)

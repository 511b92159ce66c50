"""Home, health and error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

from yinling.core.views_cockpit import cockpit

# The start page for other kinds of account (a retiree's comes from the registry), registered in
# AppConfig.ready(): core imports no domain app.
_HOME_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {}


def register_home_view(kind: str, view: Callable[[HttpRequest], HttpResponse]) -> None:
    _HOME_VIEWS[kind] = view


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    view = _HOME_VIEWS.get(user.kind)
    if view is not None:
        return view(request)
    return cockpit(request)  # the staff home is the cockpit of charts


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "time": timezone.now().isoformat()})


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database or a template may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())

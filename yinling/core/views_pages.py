"""Home, health and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

from yinling.core.dashboard import home_figures


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.kind == "retiree":
        return retiree_home(request)
    return render(request, "core/home.html", {"figures": home_figures(user)})


def retiree_home(request: HttpRequest) -> HttpResponse:
    """A retiree's own start page: their record in brief and a few large buttons; no staff navigation."""
    from yinling.registry.models import Retiree

    user: Any = request.user
    retiree = Retiree.objects.select_related("org").filter(account=user, is_deleted=False).first()
    return render(request, "core/retiree_home.html", {"retiree": retiree})


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

"""The staff quick search page (`/search/?q=`) and its results fragment for the header's box (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yinling.core import quicksearch


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.kind != "staff":
        raise PermissionDenied
    text = request.GET.get("q", "").strip()[:50]
    answers = quicksearch.search(user, text) if text else []
    template = "core/search_results.html" if request.headers.get("HX-Request") else "core/search.html"
    return render(request, template, {"q": text, "answers": answers})

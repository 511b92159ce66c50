"""The retiree's pages: find a class near home, apply, see the answer, accept an offered seat."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from yinling.campus.services import selectors
from yinling.registry import acting


@login_required
def my_classes(request: HttpRequest) -> HttpResponse:
    retiree = acting.retiree_of(request.user)
    if retiree is None:
        raise Http404
    return render(request, "campus/my_classes.html", {"rows": selectors.enrolments_of(retiree)})

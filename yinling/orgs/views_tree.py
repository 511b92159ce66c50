"""The org tree as a tree: the user's top orgs, each opening onto the orgs directly below it.

Children load when a node is opened (htmx on the <details> element's toggle), so a province with
thousands of units costs one small query a click. Without JavaScript a node's name links to the org's
page, which lists what is directly below it. Only orgs the user may view are shown."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yinling.core.scoping import get_scoped_or_404, has_anywhere, user_paths
from yinling.orgs.models import Org


def _with_child_counts(qs: QuerySet[Org], user: Any) -> QuerySet[Org]:
    visible = Org.objects.restrict(user, "view").values("pk")
    return qs.annotate(child_count=Count("children", filter=Q(children__in=visible))).order_by("code")


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    if not has_anywhere(request.user, Org, "view"):
        raise PermissionDenied
    roots = user_paths(request.user, "orgs.view_org")
    tops = Org.objects.restrict(request.user, "view").filter(path__in=roots)
    return render(request, "orgs/org_tree.html", {"nodes": _with_child_counts(tops, request.user)})


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    org = get_scoped_or_404(Org, request.user, "view", code=code)
    below = Org.objects.restrict(request.user, "view").filter(parent=org)
    return render(request, "orgs/_tree_nodes.html", {"nodes": _with_child_counts(below, request.user)})

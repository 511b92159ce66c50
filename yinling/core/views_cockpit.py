"""The cockpit: the staff home as a dashboard of panels, their JSON and their spreadsheets.

The page renders every panel's table on the server (readable without JavaScript, by screen readers, and
in print); `static/yinling/cockpit.js` draws each chart from `/cockpit/panels/<id>/?org=CODE`. The org
is `?org=CODE` (back, forward and reload keep it), 404 outside the user's scope; a user who may see
no panel gets 403 from the endpoints. Both read the same cached figures (core/panels.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinling.core.dashboard import home_figures
from yinling.core.exports import xlsx_response
from yinling.core.panels import Panel, cockpit_org, drill_path, get_panel, panel_data, panels_for, scope_roots


def _org_url(org: Any) -> str:
    return _org_url_code(org.code)


def _org_url_code(code: str) -> str:
    return f"{reverse('home')}?{urlencode({'org': code})}"


def cockpit(request: HttpRequest) -> HttpResponse:
    """The staff home: panels for the org in `?org=` (the top of the user's scope by default), and figures."""
    user: Any = request.user
    panels = panels_for(user)
    context: dict[str, Any] = {"figures": home_figures(user), "panels": [], "today": timezone.localdate()}
    if panels:
        roots = scope_roots(user)  # once a page: the default org, its drill path and the switcher all need them
        org = cockpit_org(user, request.GET.get("org"), roots)
        path = drill_path(user, org, roots)
        context.update(
            org=org,
            # A user with roles in several subtrees switches between their tops.
            roots=[(r, _org_url(r)) for r in roots] if len(roots) > 1 else [],
            breadcrumbs=[(o.name, _org_url(o) if o.pk != org.pk else "") for o in path] if len(path) > 1 else [],
            parent_url=_org_url(path[-2]) if len(path) > 1 else "",
        )
        for panel in panels:
            data = panel_data(panel, user, org)
            headers, rows = data.table()
            urls = [_org_url_code(code) if code else "" for code in data.drill]
            context["panels"].append(
                {
                    "panel": panel,
                    "data": data,
                    "headers": headers,
                    # Each row: its label, the org page it drills to (when the categories are orgs), figures.
                    "rows": [(row[0], urls[i] if i < len(urls) else "", row[1:]) for i, row in enumerate(rows)],
                    "json_url": _panel_url("cockpit:panel", panel, org),
                    "xlsx_url": _panel_url("cockpit:panel_xlsx", panel, org),
                }
            )
    return render(request, "core/home.html", context)


def _panel_url(name: str, panel: Panel, org: Any) -> str:
    return f"{reverse(name, args=[panel.id])}?{urlencode({'org': org.code})}"


def _visible_panel(request: HttpRequest, panel_id: str) -> tuple[Panel, Any]:
    panel = get_panel(panel_id)
    user: Any = request.user
    if not panel.visible_to(user):
        raise PermissionDenied
    return panel, cockpit_org(user, request.GET.get("org"))


@login_required
def panel_json(request: HttpRequest, panel_id: str) -> JsonResponse:
    panel, org = _visible_panel(request, panel_id)
    data = panel_data(panel, request.user, org)
    return JsonResponse(
        {
            "id": panel.id,
            "title": str(panel.title),
            "kind": panel.kind,
            "org": {"code": org.code, "name": org.name},
            "as_of": timezone.localdate().isoformat(),
            **data.as_dict(),
            "drill_urls": [(_org_url_code(code) if code else "") for code in data.drill],
        }
    )


@login_required
def panel_xlsx(request: HttpRequest, panel_id: str) -> HttpResponseBase:
    """The panel's table as a spreadsheet (formula-safe writer), recorded as an export in the audit trail."""
    panel, org = _visible_panel(request, panel_id)
    data = panel_data(panel, request.user, org)
    headers, rows = data.table()
    day = timezone.localdate().isoformat()
    title = str(panel.title)
    # The sheet says what the figures are and for which org and day, as the page does.
    caption = _("%(title)s · %(org)s · as of %(day)s") % {"title": title, "org": org.name, "day": day}
    return xlsx_response(
        f"{panel.id}-{org.code}-{day}.xlsx",
        headers,
        [*rows, [], [caption]],
        object_type="cockpit.panel",
        org_path=org.path,
        filters={"panel": panel.id, "org": org.code},
        sheet_title=title[:31],
    )

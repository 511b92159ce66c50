"""The inbox page and its buttons, and the channel choices on the account page.

The buttons are POST forms that work without JavaScript (the answer redirects back to the inbox); htmx posts
the same forms and swaps the inbox and the header's bell out of the page it is redirected to.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinling.notifications import services
from yinling.notifications.forms import PreferenceForm
from yinling.notifications.links import is_local
from yinling.notifications.selectors import inbox, preference_of

PER_PAGE = 20


def _back(request: HttpRequest) -> str:
    """Where a button sends one back: the inbox page it was pressed on (a local path only)."""
    target = request.POST.get("next", "")
    return target if is_local(target) and target.startswith("/notifications/") else "/notifications/"


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    rows = inbox(request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    unread = any(not n.is_read for n in page.object_list) or rows.filter(read_at__isnull=True).exists()
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "any_unread": unread, "breadcrumbs": [(_("Notifications"), None)]},
    )


@login_required
def open_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read (a link in an SMS or e-mail comes here too)."""
    found = services.do_mark_read(by=request.user, pk=pk)
    return redirect(found.link if is_local(found.link) else "notifications:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.do_mark_read(by=request.user, pk=pk)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.do_mark_all_read(by=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(_back(request))


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PreferenceForm(request.POST, user=user)
    if form.is_valid():
        current = preference_of(user)
        chosen = {"sms": current.sms, "email": current.email, **form.cleaned_data}
        services.do_set_preferences(by=user, sms=chosen["sms"], email=chosen["email"])
        messages.success(request, _("Your notification settings were saved."))
    return redirect("/accounts/me/#notification-settings")


def preferences_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The account page's section on notifications (accounts.panels)."""
    user: Any = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    pref = preference_of(user)
    return {"form": PreferenceForm(user=user, initial={"sms": pref.sms, "email": pref.email})}

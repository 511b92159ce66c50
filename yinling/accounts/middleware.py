from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from yinling.accounts.permissions import needs_two_factor

SESSION_LAST_SEEN = "last_seen"

# Paths a signed-in admin may reach before completing two-factor sign-in.
_TWO_FACTOR_OPEN = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/accounts/elder-mode/")


# Sent by htmx polls (hx-headers on the polling element, e.g. templates/jobs/_job_state.html).
POLL_HEADER = "X-Yinling-Poll"


class IdleTimeoutMiddleware:
    """Sign users out after a time without a request (等保: 登录超时): STAFF_IDLE_TIMEOUT for staff,
    RETIREE_IDLE_TIMEOUT (longer: elders read slowly and put the phone down) for retirees."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            limit = settings.STAFF_IDLE_TIMEOUT if user.kind == "staff" else settings.RETIREE_IDLE_TIMEOUT
            now = int(time.time())
            last = request.session.get(SESSION_LAST_SEEN)
            if last is not None and now - int(last) > limit:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            # A page polling by itself (a job's progress bar) is not the person's activity: it
            # must not keep an idle session alive, and on SQLite it must not write the session
            # while a job holds the database's write lock.
            if request.headers.get(POLL_HEADER) != "1":
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Holders of the three admin roles must finish TOTP sign-in (enrolling on first use).

    Whether the user holds one is asked at every request (one indexed query), never kept in the session:
    a role granted during a session must bring the two-factor step at the next request, and a role
    removed must stop asking for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and not request.path.startswith(_TWO_FACTOR_OPEN)
            and not user.is_verified()
            and needs_two_factor(user)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": _("Two-factor sign-in required.")}, status=403)
            return redirect(f"/accounts/two-factor/?next={request.path}")
        return self.get_response(request)

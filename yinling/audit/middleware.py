from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from yinling.audit import context

# A session key holding "who the signed-in user is acting for" (代办, e.g. "retiree:42 张三"): every
# record written in that session's requests carries it as on_behalf_of.
AUDIT_ON_BEHALF_SESSION_KEY = "audit_on_behalf_of"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the one our PROXY_COUNT trusted proxies saw."""
    proxies = getattr(settings, "PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Give every request an id and make (user, address, id) available to the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]

        # Resolved when a record is written: DRF authenticates inside the view and then
        # sets request.user on this HttpRequest too.
        def user() -> Any:
            return getattr(request, "user", None)

        session = getattr(request, "session", None)
        on_behalf_of = str(session.get(AUDIT_ON_BEHALF_SESSION_KEY) or "")[:150] if session is not None else ""
        with context.acting(user=user, ip=client_ip(request), request_id=request_id, on_behalf_of=on_behalf_of):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from yinling.notifications.selectors import unread_count


class Bell:
    """The header's unread count: one COUNT query, made only when a page shows it, once per request."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    found = getattr(request, "_notification_bell", None)
    if found is None:
        found = Bell(user)
        request._notification_bell = found  # type: ignore[attr-defined]
    return {"bell": found}

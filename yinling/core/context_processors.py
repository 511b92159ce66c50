from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yinling.core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    elder = (
        bool(getattr(user, "elder_mode", False))
        if user is not None and user.is_authenticated
        else (request.COOKIES.get("elder_mode") == "1")
    )
    items = nav_for(user)
    current = request.path
    return {
        "nav_items": [
            {"label": item.label, "url": item.url, "active": current.startswith(item.url) and item.url != "/"}
            for item in items
        ],
        "elder_mode": elder,
    }

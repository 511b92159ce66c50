from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yinling.core.navigation import grouped_nav, nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    elder = (
        bool(getattr(user, "elder_mode", False))
        if user is not None and user.is_authenticated
        else (request.COOKIES.get("elder_mode") == "1")
    )
    current = request.path
    items = [
        {
            "label": item.label,
            "url": item.url,
            "active": current.startswith(item.url) and item.url != "/",
            "group": item.group,
            "icon": item.icon,
        }
        for item in nav_for(user)
    ]
    staff = user is not None and user.is_authenticated and getattr(user, "kind", "") == "staff"
    return {
        "nav_items": items,
        "nav_groups": grouped_nav(items) if staff else [],
        "is_staff_shell": staff,
        "elder_mode": elder,
    }

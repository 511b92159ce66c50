"""The navigation menu: modules register entries; each shows only to users who may use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    # Shown when the user holds this permission anywhere (None: any signed-in staff).
    perm: str | None = None
    order: int = 100
    check: Callable[[Any], bool] | None = None

    def visible_to(self, user: Any) -> bool:
        from yinling.core.scoping import user_paths

        if self.check is not None:
            return self.check(user)
        if self.perm is None:
            return True
        return bool(user_paths(user, self.perm))

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV):
        NAV.append(item)
        NAV.sort(key=lambda i: i.order)


def nav_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV if item.visible_to(user)]

"""The navigation menu: modules register entries; each shows only to users who may use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The sidebar's groups, in order (issue #11): a module's items go under its group's heading.
GROUPS: list[tuple[str, str | Promise]] = [
    ("work", _("Workspace")),
    ("registry", _("Registry")),
    ("timebank", _("Time bank")),
    ("volunteering", _("Volunteering")),
    ("campus", _("Senior university")),
    ("services", _("Services")),
    ("care", _("Care")),
    ("party", _("Party branches")),
    ("org", _("Org and people")),
    ("audit", _("Audit")),
]


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    # Shown when the user holds this permission anywhere (None: any signed-in staff).
    perm: str | None = None
    order: int = 100
    check: Callable[[Any], bool] | None = None
    group: str = "work"  # one of GROUPS' keys
    icon: str = "chevron-right"  # a vendored Bootstrap Icons name (core/templatetags/icons.py)

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


def grouped_nav(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sidebar: [{"key", "label", "items"}] in GROUPS' order, empty groups left out."""
    known = {key for key, _label in GROUPS}
    groups = []
    for key, label in GROUPS:
        members = [i for i in items if i["group"] == key or (key == "work" and i["group"] not in known)]
        if members:
            groups.append({"key": key, "label": str(label), "items": members})
    return groups

"""Thematic libraries (专题库): saved filters with live, scoped membership.

The four of the Zhejiang system are built in (defined here, visible to everyone who
may view the registry); staff save their own from any filtered list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict

from yinling.core.pagination import count_or_estimate
from yinling.core.scoping import has_anywhere, path_in, user_paths
from yinling.registry.models import Library, Retiree
from yinling.registry.search_guard import exact_kind


@dataclass(frozen=True)
class BuiltinLibrary:
    key: str
    name: str
    description: str
    filters: dict[str, str]


BUILTIN = [
    BuiltinLibrary("leaders", "老领导动态库", "原任领导职务的老同志", {"special_flag": "former_leader"}),
    BuiltinLibrary("party", "党员库", "中共党员和预备党员", {"party": "party"}),
    BuiltinLibrary("silver_talent", "“银色人才”志愿者库", "愿意发挥作用的银色人才", {"contribution": "silver_talent"}),
    BuiltinLibrary("hardship", "困难离退休干部库", "标记为困难的离退休干部", {"special_flag": "hardship"}),
]


def members(user: Any, filters: dict[str, str]) -> QuerySet[Retiree]:
    from yinling.registry.filters import RetireeFilterSet

    base = Retiree.objects.restrict(user, "view").filter(is_deleted=False, status="active")
    data = QueryDict(mutable=True)
    data.update(filters)
    fs = RetireeFilterSet(data=data, queryset=base)
    return fs.qs if fs.is_valid() else base.none()


def _count(user: Any, filters: dict[str, str]) -> dict[str, Any]:
    """Every list page shows these: exact up to 10,000 members, an estimate ("约") above (core/pagination.py)."""
    count, approximate = count_or_estimate(members(user, filters))
    return {"count": count, "approximate": approximate}


def is_exact_search(filters: dict[str, Any]) -> bool:
    """Whether saved filters search by a sensitive value exactly (a whole ID number or phone, the last six of
    an ID number: search_guard.exact_kind), as the list's search box would read them."""
    return any(exact_kind(str(filters.get(name) or "")) for name in ("q", "search"))


def sees_sensitive_everywhere(user: Any) -> bool:
    """Whether the user may see ID numbers and phones in every subtree where they see the registry."""
    sensitive = user_paths(user, "registry.view_sensitive_retiree")
    return all(path_in(root, sensitive) for root in user_paths(user, "registry.view_retiree"))


def visible_libraries(user: Any) -> list[dict[str, Any]]:
    """Built-ins, then libraries saved in the user's subtrees or shared from an org above them."""
    if not has_anywhere(user, Retiree, "view"):
        return []
    saved = Library.objects.restrict(user, "view")
    result = [
        {
            "name": b.name,
            "description": b.description,
            "query": urlencode(b.filters),
            **_count(user, b.filters),
            "builtin": True,
            "pk": None,
        }
        for b in BUILTIN
    ]
    exactly = sees_sensitive_everywhere(user)
    for lib in saved.select_related("org").order_by("name"):
        # A count by a hidden ID number or phone tells whether that value is on the register: only the
        # list itself (rate-limited and audited) may answer such a search for someone who cannot see it.
        hidden = not exactly and is_exact_search(lib.filters)
        result.append(
            {
                "name": lib.name,
                "description": lib.description,
                # The saved search itself would show the number to someone who may not see it.
                "query": "" if hidden else urlencode(lib.filters),
                **({"count": None, "approximate": False} if hidden else _count(user, lib.filters)),
                "builtin": False,
                "hidden": hidden,
                "pk": lib.pk,
            }
        )
    return result

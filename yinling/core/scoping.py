"""The one scoping mechanism: every query for scoped data goes through `restrict()`.

A role assignment (user, role, org) grants the role's permissions on the org's whole
subtree. `Model.objects.restrict(user, action)` returns only the rows whose org path
lies under an org where the user holds `app_label.action_model`; with action None it
returns everything in the user's scope at all (any role), which views use to tell
"does not exist for you" (404) from "exists, but you may not" (403).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from yinling.accounts.models import User


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies under another one in the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def perm_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def user_paths(user: Any, perm: str | None) -> list[str]:
    """The subtree roots where `user` holds `perm` (any role when perm is None)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    from yinling.accounts.permissions import grants_for

    return minimal_paths(path for path, perms in grants_for(user) if perm is None or perm in perms)


def path_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__under": path})
    return q


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: User | Any, action: str | None = "view") -> Self:
        model = self.model
        perm = perm_name(model, action) if action else None
        paths = user_paths(user, perm)
        if not paths:
            return self.none()
        return self.filter(path_q(model.scope_path_field, paths))  # type: ignore[attr-defined]


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def object_path(obj: models.Model) -> str:
    """The org path an object is scoped by."""
    value: Any = obj
    for part in obj.scope_path_field.split("__"):  # type: ignore[attr-defined]
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `user` holds `action` on this object's org."""
    path = object_path(obj)
    return bool(path) and any(path.startswith(p) for p in user_paths(user, perm_name(type(obj), action)))


def in_scope(user: Any, obj: models.Model) -> bool:
    path = object_path(obj)
    return bool(path) and any(path.startswith(p) for p in user_paths(user, None))


def has_anywhere(user: Any, model: type[models.Model], action: str) -> bool:
    return bool(user_paths(user, perm_name(model, action)))

"""The one scoping mechanism: every query for scoped data goes through `restrict()`.

A role assignment (user, role, org) grants the role's permissions on the org's whole
subtree. `Model.objects.restrict(user, action)` returns only the rows whose org path
lies under an org where the user holds `app_label.action_model`; with action None it
returns everything in the user's scope at all (any role), which views use to tell
"does not exist for you" (404) from "exists, but you may not" (403).

The questions a caller may ask, and the one function for each:

- which rows may this user see / change / export?      `Model.objects.restrict(user, action)`
- this object, or 404 outside scope and 403 inside?     `get_scoped_or_404(model_or_qs, user, action, **lookup)`
- may this user do `action` on this object?             `can(user, action, obj)`
- may this user do `action` on `model` objects at org?  `can_at(user, model, action, org)`
- does the user hold `action` anywhere?                 `has_anywhere(user, model, action)`
- at which orgs?                                        `orgs_where(user, model, action)` / `user_paths()`

`core` is the bottom layer and imports no domain app. The grants come from the user
object (NetBox style): any user class with a `scope_grants()` method returning
`[(org path, permission strings)]` works (`GrantHolder`); accounts.User implements it.
Model rules (soft-deleted retirees hidden, audit records without an org, ledger
transfers reached through their accounts) live in each model's queryset, in
`scope_q()` and `live_q()`, so no caller can forget them.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, Self, runtime_checkable

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

Grants = list[tuple[str, frozenset[str]]]


@runtime_checkable
class GrantHolder(Protocol):
    """What the scoping code needs of a user: its grants, resolved once per request."""

    is_authenticated: bool
    is_active: bool

    def scope_grants(self) -> Grants: ...


class UnrestrictedQuery(ImproperlyConfigured):
    """A scoped model's queryset was evaluated in a request without restrict() or unrestricted()."""


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies under another one in the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def perm_name(model: type[models.Model], action: str) -> str:
    """The permission string for `action` on `model`.

    A model scoped through another one's rights (ledger transfers through accounts) names that
    model in `scope_permission_model` ("app_label.Model")."""
    target = getattr(model, "scope_permission_model", None)
    if target:
        from django.apps import apps

        model = apps.get_model(target)
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def grants_of(user: Any) -> Grants:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    get = getattr(user, "scope_grants", None)
    return list(get()) if get is not None else []


def user_paths(user: Any, perm: str | None) -> list[str]:
    """The subtree roots where `user` holds `perm` (any role when perm is None)."""
    return minimal_paths(path for path, perms in grants_of(user) if perm is None or perm in perms)


def path_in(path: str, roots: Iterable[str]) -> bool:
    """Whether the org path lies in one of the subtrees (paths end in "/", so prefixes are whole codes)."""
    return bool(path) and any(path.startswith(root) for root in roots)


def path_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__under": path})
    return q


# --- the guard against a forgotten restrict() -----------------------------------------------------

_guard: contextvars.ContextVar[bool] = contextvars.ContextVar("yinling_scope_guard", default=False)


@contextmanager
def scope_guard(active: bool = True) -> Iterator[None]:
    """Within this block (a request, in DEBUG and tests) an unscoped read of a scoped model raises."""
    token = _guard.set(active)
    try:
        yield
    finally:
        _guard.reset(token)


# Django's model validation checks unique fields and constraints across the whole table, by design
# (a code must be unique everywhere, not within one user's scope). Only looked at on the way to
# raising, so it costs nothing on the normal path.
_VALIDATION_FRAMES = frozenset({"_perform_unique_checks", "_perform_date_checks", "validate_constraints", "validate"})


def _in_model_validation() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_name in _VALIDATION_FRAMES and "django" in code.co_filename:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how it was scoped.

    `restrict()` scopes it to a user; `unrestricted()` says on purpose that it is not (a service
    reading what its policy already allowed, a command, a sign-in backend). Querysets reached
    through an object already in hand (`org.children.all()`) carry that object as a hint and
    count as scoped by it. Anything else evaluated inside a guarded request raises
    `UnrestrictedQuery`, so a forgotten restrict() fails a test instead of leaking rows.
    """

    _scoped: bool = False

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scoped = self._scoped
        return clone

    def __and__(self, other: Any) -> Self:
        # Narrowing a restricted set keeps it restricted (a form field's choices & orgs_where()).
        combined = super().__and__(other)
        combined._scoped = self._scoped or bool(getattr(other, "_scoped", False))
        return combined

    def __or__(self, other: Any) -> Self:
        combined = super().__or__(other)
        combined._scoped = self._scoped and bool(getattr(other, "_scoped", False))
        return combined

    def _check_scoped(self) -> None:
        if self._scoped or not _guard.get() or self.query.is_empty():
            return
        if self._hints.get("instance") is not None:  # type: ignore[attr-defined]
            return  # reached through an object in hand (a related manager)
        if _in_model_validation():
            return
        raise UnrestrictedQuery(
            f"{self.model._meta.label} queried without restrict(user, action) or unrestricted() in a request"
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped()
        super()._fetch_all()  # type: ignore[misc]

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scoped()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scoped()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._check_scoped()
        return super().iterator(chunk_size=chunk_size)

    # -- the model's own rules (override in a subclass) --

    def scope_q(self, paths: list[str], action: str | None) -> Q:
        """Rows under these subtree roots, where the user holds `action`."""
        field = getattr(self.model, "scope_path_field", None)
        if not field:
            raise ImproperlyConfigured(f"{self.model._meta.label} has no scope_path_field")
        return path_q(field, paths)

    def live_q(self) -> Q:
        """Rows a user sees unless asked for more (e.g. not soft-deleted)."""
        return Q()

    # -- the API --

    def restrict(
        self, user: Any, action: str | None = "view", *, deleted: bool = False, perm: str | None = None
    ) -> Self:
        """Rows under an org where `user` holds `action` on this model (any role when None).

        Soft-deleted rows are left out unless `deleted=True` (the model's `live_q()`). `perm` names
        another model's permission that decides instead, for a module acting on rows it does not
        own: the people to whom a user may grant hours are
        `Retiree.objects.restrict(user, perm="timebank.grant_account")`."""
        if perm is None:
            perm = perm_name(self.model, action) if action else None
        paths = user_paths(user, perm)
        if not paths:
            qs = self.none()
        else:
            qs = self.filter(self.scope_q(paths, action))
            if not deleted:
                qs = qs.filter(self.live_q())
        qs._scoped = True
        return qs

    def unrestricted(self) -> Self:
        """On purpose not scoped to a user: service internals after their policy check, commands."""
        qs = self._chain()  # type: ignore[attr-defined]
        qs._scoped = True
        return qs


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


def object_in(obj: models.Model, roots: list[str]) -> bool:
    """Whether the object lies in one of these subtrees.

    A model whose rule is more than one path (a transfer lies under both its accounts' orgs;
    an audit record without an org belongs to the root) says so in `in_subtrees(roots)`."""
    rule = getattr(obj, "in_subtrees", None)
    if callable(rule):
        return bool(rule(roots))
    return path_in(object_path(obj), roots)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `user` holds `action` on this object's org."""
    return object_in(obj, user_paths(user, perm_name(type(obj), action)))


def can_at(user: Any, model: type[models.Model], action: str, org: Any) -> bool:
    """Whether `user` may do `action` on `model` objects at this org (e.g. add one there).

    `org` is an org object (with `.path`) or an org path."""
    path = org if isinstance(org, str) else getattr(org, "path", "")
    if org is not None and not isinstance(org, str) and not getattr(org, "is_active", True):
        return False
    return path_in(path, user_paths(user, perm_name(model, action)))


def in_scope(user: Any, obj: models.Model) -> bool:
    return object_in(obj, user_paths(user, None))


def has_anywhere(user: Any, model: type[models.Model], action: str) -> bool:
    return bool(user_paths(user, perm_name(model, action)))


def get_scoped_or_404(
    model_or_qs: type[models.Model] | models.QuerySet[Any],
    user: Any,
    action: str,
    *,
    deleted: bool = False,
    **lookup: Any,
) -> Any:
    """The object, looked up inside the user's scope: 404 outside it, 403 inside it without `action`.

    A lookup value the field cannot take (a word for an integer id) is a 404 too, never a 500.
    """
    qs: Any = model_or_qs._default_manager.all() if isinstance(model_or_qs, type) else model_or_qs
    try:
        obj = qs.restrict(user, None, deleted=deleted).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(qs.model._meta.object_name) from exc
    if not can(user, action, obj):
        raise PermissionDenied
    return obj


def orgs_where(user: Any, model: type[models.Model], action: str) -> models.QuerySet[Any]:
    """Active orgs at which `user` may do `action` to `model` objects (choices for org fields)."""
    from django.apps import apps

    org_model = apps.get_model("orgs", "Org")  # by name: core imports no domain app
    paths = user_paths(user, perm_name(model, action))
    if not paths:
        return org_model._default_manager.none()
    return org_model._default_manager.unrestricted().filter(path_q("path", paths), is_active=True)

"""The API's shared pieces: scoped viewsets and the permission rule (404 outside scope, 403 inside).

In core, so every module's API builds on it without importing the `api` app (the top layer).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import exceptions, serializers, viewsets
from rest_framework.request import Request

from yinling.core.scoping import can, get_scoped_or_404, has_anywhere

_ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedViewSetMixin:
    """Querysets come only from Model.objects.restrict(); object access follows the same rule as pages."""

    model: type[Model]

    def scoped(self, action: str | None) -> QuerySet[Any]:
        return self.model.objects.restrict(self.request.user, action)  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "action", None) == "list":
            return self.scoped("view")
        return self.scoped(None)

    def get_object(self) -> Any:
        """404 outside the caller's scope, 403 inside it without the method's action (pages' rule)."""
        lookup = self.lookup_url_kwarg or self.lookup_field  # type: ignore[attr-defined]
        action = _ACTION_FOR_METHOD.get(self.request.method or "GET", "view")  # type: ignore[attr-defined]
        obj = get_scoped_or_404(
            self.get_queryset(),
            self.request.user,  # type: ignore[attr-defined]
            action,
            **{self.lookup_field: self.kwargs[lookup]},  # type: ignore[attr-defined]
        )
        self.check_object_permissions(self.request, obj)  # type: ignore[attr-defined]
        return obj

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)  # type: ignore[misc]
        action = _ACTION_FOR_METHOD.get(request.method or "GET", "view")
        if getattr(self, "action", None) in ("list", "create") and not has_anywhere(request.user, self.model, action):
            raise exceptions.PermissionDenied()

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)  # type: ignore[misc]
        action = _ACTION_FOR_METHOD.get(request.method or "GET", "view")
        if not can(request.user, action, obj):
            raise exceptions.PermissionDenied()


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedSlugRelatedField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A related object named by a slug, looked up only inside the caller's scope (restrict(user, None)).

    Outside the scope and not existing at all give the same answer, so the field tells nobody what
    exists elsewhere."""

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        qs: Any = super().get_queryset()
        return qs.restrict(getattr(request, "user", None), None)  # type: ignore[no-any-return]

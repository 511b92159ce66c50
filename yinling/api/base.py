"""The API's shared pieces: scoped viewsets and the permission rule (404 outside scope, 403 inside)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import exceptions, viewsets
from rest_framework.request import Request

from yinling.core.scoping import can, has_anywhere

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

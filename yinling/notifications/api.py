"""/api/v1/notifications/: the caller's own inbox (stable contract, docs/api.md).

GET ?unread=1 lists the unread ones; POST {id}/read/ and read-all/ mark them read. Another person's id
answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yinling.core.converters import ID_REGEX
from yinling.notifications import services
from yinling.notifications.models import Notification
from yinling.notifications.selectors import inbox

TRUE = {"1", "true", "yes", "on"}


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "on_behalf_of", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the model, for the schema; get_queryset() is the caller's inbox
    lookup_value_regex = ID_REGEX
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Notification]:
        rows = inbox(self.request.user)
        if self.request.query_params.get("unread", "").lower() in TRUE:
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only the unread ones (unread=1)")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        found = services.do_mark_read(by=request.user, pk=int(pk or 0))
        return Response(NotificationSerializer(found).data)

    @extend_schema(request=None, responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.do_mark_all_read(by=request.user)})

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yinling.api.serializers import MeSerializer, OrgSerializer, TokenRequestSerializer, TokenSerializer
from yinling.core.api import ScopedReadOnlyViewSet
from yinling.orgs.models import Org


class ObtainTokenView(APIView):
    """Exchange username and password (and a TOTP code for admin roles) for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        # Like a page sign-in: audit record, last_login, and django-axes clears the failure count.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class OrgViewSet(ScopedReadOnlyViewSet):
    """Orgs in the caller's scope. `?under=CODE` limits the list to that subtree."""

    model = Org
    serializer_class = OrgSerializer
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z-]+"

    def get_queryset(self) -> QuerySet[Org]:
        qs = super().get_queryset().select_related("parent").order_by("path")
        under = self.request.query_params.get("under")
        if under and self.action == "list":
            root = (
                Org.objects.restrict(self.request.user, None).filter(code=under).values_list("path", flat=True).first()
            )
            qs = qs.filter(path__under=root) if root else qs.none()
        return qs

    @extend_schema(parameters=[OpenApiParameter("under", OpenApiTypes.STR, description="Org code of a subtree")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

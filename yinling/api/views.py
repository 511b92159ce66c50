from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yinling.accounts import tokens
from yinling.api.serializers import (
    MeSerializer,
    OrgSerializer,
    TokenInfoSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
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
        # A new token at every sign-in (several devices or scripts each hold their own, revoked one by one).
        instance, token = tokens.issue_token(user)
        # Like a page sign-in: audit record, last_login, and django-axes clears the failure count.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data, status=status.HTTP_200_OK)


class SignOutView(APIView):
    """Sign out what this call is authenticated with: the token stops working, or the browser session ends.

    The caller's other tokens keep working (list and revoke them at /api/v1/auth/tokens/)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        key = getattr(request.auth, "token_key", None)
        if key is not None:
            tokens.do_revoke_own_token(by=request.user, token_key=key)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """The caller's own tokens that still work, newest first (never the tokens themselves)."""

    @extend_schema(responses=TokenInfoSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = tokens.tokens_of(request.user)
        return Response(TokenInfoSerializer(rows, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    """Revoke one of the caller's own tokens by its id; someone else's token is a 404 like a missing one."""

    @extend_schema(request=None, responses={204: None, 404: None})
    def delete(self, request: Request, token_id: str) -> Response:
        if not tokens.do_revoke_own_token(by=request.user, token_key=token_id):
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


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

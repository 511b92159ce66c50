from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yinling.accounts.models import RoleAssignment, User
from yinling.orgs.models import Org


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        required=False, allow_blank=True, write_only=True, help_text="TOTP code; required for the three admin roles."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        user = authenticate(request=request._request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to sign in with these credentials."), code="authorization")
        from yinling.accounts.permissions import needs_two_factor

        if needs_two_factor(user):
            from django_otp import match_token

            if not attrs.get("otp") or match_token(user, attrs["otp"]) is None:
                raise serializers.ValidationError(_("A valid two-factor code (otp) is required."), code="otp")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`; it is shown only once.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


class TokenInfoSerializer(serializers.Serializer):
    """One of the caller's own tokens, without the token itself (only its hash is kept)."""

    id = serializers.CharField(source="token_key", help_text="The token's first 15 characters; revoke with it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text="Whether this call was made with this token.")

    @extend_schema_field(serializers.BooleanField())
    def get_current(self, token: Any) -> bool:
        used = getattr(self.context.get("request"), "auth", None)
        return getattr(used, "digest", None) == token.digest


class AssignmentSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code")

    class Meta:
        model = RoleAssignment
        fields = ["role", "org"]


class MeSerializer(serializers.ModelSerializer):
    org = serializers.SerializerMethodField(help_text="Org code: the home org, or for a retiree the managing org.")
    roles = AssignmentSerializer(source="assignments", many=True)
    retiree = serializers.SerializerMethodField(help_text="For a retiree account, its registry record id; else null.")

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "kind", "org", "roles", "elder_mode", "retiree"]

    def _record(self, user: User) -> Any:
        if user.kind != User.Kind.RETIREE:
            return None
        if not hasattr(self, "_retiree_cache"):
            from yinling.registry.models import Retiree

            self._retiree_cache = Retiree.objects.unrestricted().select_related("org").filter(account=user).first()
        return self._retiree_cache

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_org(self, user: User) -> str | None:
        record = self._record(user)
        org = record.org if record is not None else user.org
        return org.code if org is not None else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_retiree(self, user: User) -> int | None:
        record = self._record(user)
        return record.pk if record is not None else None


class OrgSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField[Org](slug_field="code", read_only=True)  # type: ignore[assignment]
    division = serializers.PrimaryKeyRelatedField[Org](read_only=True)

    class Meta:
        model = Org
        fields = ["code", "name", "kind", "parent", "division", "depth", "is_active"]

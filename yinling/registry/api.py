"""`/api/v1/retirees/`: the registry for integrations, scoped and masked exactly like the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from yinling.api.base import ScopedViewSetMixin
from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.crypto import mask_phone
from yinling.orgs.models import Org
from yinling.registry import services
from yinling.registry.filters import RetireeFilterSet
from yinling.registry.models import FamilyContact, Retiree
from yinling.registry.validation import clean_record

SENSITIVE = ("id_number", "phone", "address", "health_notes")
FIELDS = [
    "id",
    "org",
    "org_name",
    "name",
    "former_name",
    "gender",
    "ethnic",
    "birth_date",
    "age",
    "category",
    "status",
    "id_number",
    "phone",
    "address",
    "community",
    "education",
    "political",
    "party_joined",
    "work_started",
    "retired_on",
    "former_unit",
    "former_post",
    "rank",
    "treatment_level",
    "treatment_document",
    "placement",
    "health",
    "health_notes",
    "living",
    "disabled",
    "special_flags",
    "contributions",
    "skills",
    "honours",
    "deceased_on",
    "version",
    "contacts",
]
WRITABLE = [f for f in FIELDS if f not in ("id", "org_name", "age", "version", "contacts", "deceased_on")]


class ContactSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()

    class Meta:
        model = FamilyContact
        fields = ["relation", "name", "phone", "is_emergency"]

    @extend_schema_field(serializers.CharField())
    def get_phone(self, contact: FamilyContact) -> str:
        return contact.phone if self.context.get("reveal") else mask_phone(contact.phone or "")


class RetireeSerializer(serializers.ModelSerializer):
    """Sensitive fields are masked unless the caller may see them on this record (then audited)."""

    org = serializers.SlugRelatedField[Org](slug_field="code", queryset=Org.objects.all())  # type: ignore[assignment]
    org_name = serializers.CharField(source="org.name", read_only=True)
    age = serializers.IntegerField(read_only=True)
    contacts = serializers.SerializerMethodField()
    id_number = serializers.CharField(required=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    health_notes = serializers.CharField(required=False, allow_blank=True)
    special_flags = serializers.ListField(child=serializers.CharField(), required=False)
    contributions = serializers.ListField(child=serializers.CharField(), required=False)
    version = serializers.IntegerField(required=False, help_text="Send back the version you read when updating.")

    class Meta:
        model = Retiree
        fields = FIELDS
        read_only_fields = ["id", "deceased_on", "status"]
        # validate() applies the registry's own rules (validation.clean_record), as forms and imports do.
        extra_kwargs = {f: {"required": False} for f in WRITABLE if f not in ("org", "name", "id_number", "category")}

    def to_representation(self, instance: Retiree) -> dict[str, Any]:
        data = super().to_representation(instance)
        revealed = self.context.get("revealed", set())
        if instance.pk not in revealed:
            data.update(services.masked(instance))
        return data

    @extend_schema_field(ContactSerializer(many=True))
    def get_contacts(self, instance: Retiree) -> list[dict[str, Any]]:
        reveal = instance.pk in self.context.get("revealed", set())
        return ContactSerializer(instance.contacts.all(), many=True, context={"reveal": reveal}).data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raw = {k: v for k, v in self.initial_data.items() if k in WRITABLE and k != "org"}
        if self.instance is not None:
            # A partial update is checked as the whole record it would make.
            for key in WRITABLE:
                if key != "org" and key not in raw:
                    raw[key] = getattr(self.instance, key)
        cleaned = clean_record(raw)
        if cleaned.errors:
            errors: dict[str, list[str]] = {}
            for key, message in cleaned.errors:
                errors.setdefault(key, []).append(message)
            raise serializers.ValidationError(errors)
        attrs["values"] = cleaned.values
        return attrs


class RetireeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Retirees in the caller's scope, with the list page's filters and search (`q`)."""

    model = Retiree
    serializer_class = RetireeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RetireeFilterSet

    def get_queryset(self) -> QuerySet[Retiree]:
        return super().get_queryset().filter(is_deleted=False).select_related("org").prefetch_related("contacts")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context.setdefault("revealed", set())
        return context

    def _reveal(self, people: list[Retiree], *, listing: bool = False) -> set[int]:
        """Unmask where the caller may, and audit it: one record per person on a detail answer, one per
        page (listing the ids) on a list answer, so a page of 50 does not write 50 records."""
        user = self.request.user
        allowed = [r for r in people if services.may_see_sensitive(user, r)]
        if not allowed:
            return set()
        if not listing:
            services.reveal(user, allowed[0])
        else:
            record(
                AuditRecord.Action.VIEW_SENSITIVE,
                object_type="registry.retiree",
                object_repr=f"{len(allowed)} retirees (API list)",
                org_path=allowed[0].org.path,
                extra={"ids": [r.pk for r in allowed], "fields": list(SENSITIVE)},
            )
        return {r.pk for r in allowed}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        people = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "revealed": self._reveal(people, listing=True)}
        data = RetireeSerializer(people, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        context = {**self.get_serializer_context(), "revealed": self._reveal([instance])}
        return Response(RetireeSerializer(instance, context=context).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        org = serializer.validated_data["org"]
        try:
            retiree = services.do_create_retiree(by=request.user, org=org, values=serializer.validated_data["values"])
        except PermissionDenied as exc:
            raise exceptions.ValidationError({"org": [str(exc) or "outside your area"]}) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        context = {**self.get_serializer_context(), "revealed": self._reveal([retiree])}
        return Response(RetireeSerializer(retiree, context=context).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        version = request.data.get("version")
        if version is None:
            raise exceptions.ValidationError({"version": ["send back the version you read"]})
        values = dict(serializer.validated_data["values"])
        if "org" in request.data:
            values["org"] = serializer.validated_data["org"]
        try:
            retiree = services.do_update_retiree(
                by=request.user, retiree=instance, values=values, expected_version=int(version)
            )
        except services.EditConflict:
            return Response(
                {"error": "conflict", "message": "此记录已被他人修改，请重新读取后再改。"},
                status=status.HTTP_409_CONFLICT,
            )
        except PermissionDenied as exc:
            raise exceptions.ValidationError({"org": [str(exc) or "outside your area"]}) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        context = {**self.get_serializer_context(), "revealed": self._reveal([retiree])}
        return Response(RetireeSerializer(retiree, context=context).data)

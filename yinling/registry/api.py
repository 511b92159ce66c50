"""`/api/v1/retirees/`: the registry for integrations, scoped and masked exactly like the pages.

Reading uses `RetireeSerializer` (codes, ISO dates, masks); writing uses `RetireeWriteSerializer`,
whose fields are plain text on purpose: every value goes through `validation.clean_record`, the
function forms and imports use, so the API accepts what they accept (离休 or lixiu, 1968.08 or
1968-08, full-width digits …) and refuses what they refuse, with the same messages.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from yinling.audit.models import AuditRecord
from yinling.audit.services import record
from yinling.core.api import ScopedSlugRelatedField, ScopedViewSetMixin
from yinling.core.converters import ID_REGEX
from yinling.core.crypto import mask_phone
from yinling.orgs.models import Org
from yinling.registry import choices, services
from yinling.registry.filters import RetireeFilterSet
from yinling.registry.forms import keep_birth_date
from yinling.registry.models import FamilyContact, Retiree
from yinling.registry.schema import BY_KEY
from yinling.registry.validation import clean_record

SENSITIVE = services.SENSITIVE_FIELDS
MASKED_HELP = "Masked (e.g. **************1234, 138****5678) unless the caller may see sensitive data on this record."

# ---------------------------------------------------------------------------------------------
# Reading


class RetireeContactSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text=MASKED_HELP)

    class Meta:
        model = FamilyContact
        fields = ["relation", "name", "phone", "is_emergency"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_phone(self, contact: FamilyContact) -> str:
        return contact.phone or "" if self.context.get("reveal") else mask_phone(contact.phone or "")


AGE_HELP = (
    "Age %s (years, inclusive): to the day for a caller who may see sensitive data wherever they see people, "
    "otherwise this year's age (this year minus the birth year), which is also what `age` answers them."
)


class RetireeSerializer(serializers.ModelSerializer):
    """A record as the API answers it: sensitive fields masked unless the caller may see them here."""

    org = serializers.SlugRelatedField[Org](slug_field="code", read_only=True, help_text="Managing org's code")
    org_name = serializers.CharField(source="org.name", read_only=True)
    age = serializers.IntegerField(read_only=True)
    birth_date = serializers.CharField(
        read_only=True,
        help_text="1945-03-01, or only the year (1945) unless the caller may see sensitive data on this record.",
    )
    id_number = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    phone = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    address = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    health_notes = serializers.CharField(read_only=True, help_text=MASKED_HELP + " Masked as ****.")
    ethnic = serializers.CharField(read_only=True, help_text="GB/T 3304 code, 01 汉族 … 56 基诺族")
    special_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=choices.SpecialFlag.choices), read_only=True
    )
    contributions = serializers.ListField(
        child=serializers.ChoiceField(choices=choices.Contribution.choices), read_only=True
    )
    party_joined = serializers.CharField(read_only=True, help_text="Month, YYYY-MM")
    work_started = serializers.CharField(read_only=True, help_text="Month, YYYY-MM")
    retired_on = serializers.CharField(read_only=True, help_text="Month, YYYY-MM")
    version = serializers.IntegerField(read_only=True, help_text="Send it back when updating (optimistic locking).")
    contacts = serializers.SerializerMethodField()

    class Meta:
        model = Retiree
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "former_name",
            "gender",
            "ethnic",
            "native_place",
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
        read_only_fields = fields

    def to_representation(self, instance: Retiree) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.pk not in self.context.get("revealed", set()):
            data.update(services.masked(instance))
        return data

    @extend_schema_field(RetireeContactSerializer(many=True))
    def get_contacts(self, instance: Retiree) -> Any:
        reveal = instance.pk in self.context.get("revealed", set())
        return RetireeContactSerializer(instance.contacts.all(), many=True, context={"reveal": reveal}).data


# ---------------------------------------------------------------------------------------------
# Writing


def _text(key: str, *, required: bool = False, help_text: str = "") -> serializers.CharField:
    col = BY_KEY[key]
    if not help_text and col.enum is not None:
        help_text = "One of: " + ", ".join(f"{code} ({label})" for code, label in col.enum.choices)
    return serializers.CharField(
        required=required,
        allow_blank=not required,
        trim_whitespace=False,  # clean_record normalises (full-width spaces too)
        help_text=f"{col.header}. {help_text}".strip(),
    )


def _multi(key: str) -> serializers.ListField:
    col = BY_KEY[key]
    assert col.enum is not None
    return serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"{col.header}: codes or labels, " + ", ".join(f"{c} ({lab})" for c, lab in col.enum.choices),
    )


class RetireeWriteSerializer(serializers.Serializer):
    """A record to create or update. PATCH sends only what changes; PUT sends the whole record."""

    org = ScopedSlugRelatedField(
        slug_field="code",
        queryset=Org.objects.filter(is_active=True),
        help_text="Managing org's code; you must be allowed to add (create) or change (update) records there.",
        error_messages={"does_not_exist": "No active org has the code {value}."},
    )
    name = _text("name", required=True)
    former_name = _text("former_name")
    id_number = _text(
        "id_number",
        required=True,
        help_text="18 characters (15-digit numbers are converted). On update, sending back the masked value "
        "you read keeps the stored number.",
    )
    category = _text("category", required=True)
    gender = _text("gender", help_text="M or F (男/女); left empty, taken from the ID number.")
    birth_date = _text(
        "birth_date", help_text="1945-03-01 (also 1945/3/1, 1945年3月1日, 19450301); default from the ID."
    )
    ethnic = _text("ethnic", help_text="GB/T 3304 code or name (01 or 汉族); default 01.")
    native_place = _text("native_place")
    education = _text("education")
    political = _text("political")
    party_joined = _text("party_joined", help_text="Month: 1965-07 (also 1965.07, 1965年7月).")
    work_started = _text(
        "work_started", help_text="Month: 1968-08 (also 1968.08, 1968年8月). 离休 requires 1949-09 or earlier."
    )
    retired_on = _text("retired_on", help_text="Month: 2005-10.")
    former_unit = _text("former_unit")
    former_post = _text("former_post")
    rank = _text("rank")
    treatment_level = _text("treatment_level")
    treatment_document = _text("treatment_document")
    placement = _text("placement")
    address = _text("address", help_text="Sending back the masked value you read keeps the stored address.")
    community = _text("community")
    phone = _text(
        "phone",
        help_text="11-digit mobile or landline (0571-88888888). Sending back the masked value keeps the stored one.",
    )
    health = _text("health")
    health_notes = _text("health_notes", help_text="Sending back **** keeps the stored notes.")
    living = _text("living")
    disabled = serializers.BooleanField(required=False, help_text=BY_KEY["disabled"].header)
    special_flags = _multi("special_flags")
    contributions = _multi("contributions")
    skills = _text("skills")
    honours = _text("honours")
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Required on update: the version you read (else 409 Conflict)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raw = {k: v for k, v in attrs.items() if k in BY_KEY}
        instance: Retiree | None = self.instance
        if instance is not None:
            # Masked values sent back unchanged (GET, edit, PUT) keep what is stored.
            shown = services.masked(instance)
            id_kept = not raw.get("id_number") or raw["id_number"] == shown["id_number"]
            for key in SENSITIVE:
                if key in raw and raw[key] and raw[key] == shown[key]:
                    raw[key] = getattr(instance, key)
            if id_kept and (message := keep_birth_date(raw, instance)):
                raise exceptions.ValidationError({"birth_date": [message]})
            # A partial update is checked as the whole record it would make.
            for name in BY_KEY:
                if name in self.fields and name not in raw and name != "org_code":
                    raw[name] = getattr(instance, name)
        cleaned = clean_record(raw)
        if cleaned.errors:
            errors: dict[str, list[str]] = {}
            for key, message in cleaned.errors:
                errors.setdefault(key if key in self.fields else "non_field_errors", []).append(_labelled(key, message))
            raise serializers.ValidationError(errors)
        attrs["values"] = cleaned.values
        return attrs


def _labelled(key: str, message: str) -> str:
    """clean_record's messages are predicates ("is not a real date"): name the column they are about."""
    header = BY_KEY[key].header if key in BY_KEY else key
    joiner = "" if message[:1] >= "\u2e80" else " "  # no space before a Chinese message
    return f"{header}{joiner}{message}"


def _drf_errors(exc: ValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    return exceptions.ValidationError({"non_field_errors": exc.messages})


# ---------------------------------------------------------------------------------------------
# Filtering


class RetireeApiFilterSet(RetireeFilterSet):
    """The list page's filters, plus `search`: DRF's name for the search, the same as `q` (both given: both apply)."""

    search = django_filters.CharFilter(label=_lazy("Name, pinyin, ID or phone digits"), method="filter_search")


# Query parameters the list takes besides its filters: the page number and DRF's format override.
NOT_FILTERS = ("page", "format")


class StrictFilterBackend(DjangoFilterBackend):
    """Refuse a query parameter that is no filter, rather than ignore it.

    An ignored `?search=` once answered with everyone: a caller who misspells a filter must get
    400 naming it, never a wider result than asked for.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        unknown = sorted(set(request.query_params) - known - set(NOT_FILTERS))
        if unknown:
            message = _("There is no such filter. Known filters: %(known)s.") % {"known": ", ".join(sorted(known))}
            raise exceptions.ValidationError({name: [message] for name in unknown})
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            refusal = getattr(filterset, "search_refusal", None)
            if refusal is not None:  # over the hourly limit of exact searches (search_guard)
                raise exceptions.Throttled(detail=str(refusal.message))
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


CONFLICT = inline_serializer(
    "RetireeConflict",
    fields={"error": serializers.CharField(), "message": serializers.CharField()},
)


@extend_schema_view(
    list=extend_schema(
        summary="Retirees in your scope",
        description="The registry list page's filters and search (`q`, or `search` as DRF names it: name, pinyin "
        "or initials, the last 4 or 6 of the ID number, the last 4 of a phone, a full ID number or mobile). "
        "People on register only, unless `status` asks for `deceased`, `moved_out` or `all`. A query parameter "
        "that is no filter is refused with 400, never ignored. Sensitive fields are masked unless you may see "
        "them; a page with unmasked values is audited.",
        parameters=[
            OpenApiParameter("age_min", OpenApiTypes.INT, description=AGE_HELP % "from"),
            OpenApiParameter("age_max", OpenApiTypes.INT, description=AGE_HELP % "to"),
            OpenApiParameter("org", OpenApiTypes.STR, description="Org code: that org and every org below it"),
        ],
    ),
    retrieve=extend_schema(summary="One retiree", responses={200: RetireeSerializer}),
    create=extend_schema(
        summary="Register a retiree",
        request=RetireeWriteSerializer,
        responses={201: RetireeSerializer, 400: OpenApiResponse(description="{field: [messages]}")},
    ),
    update=extend_schema(
        summary="Replace a record",
        request=RetireeWriteSerializer,
        responses={
            200: RetireeSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
            409: OpenApiResponse(CONFLICT, description="Someone saved the record after you read `version`."),
        },
    ),
    partial_update=extend_schema(
        summary="Change some fields",
        request=RetireeWriteSerializer,
        responses={
            200: RetireeSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
            409: OpenApiResponse(CONFLICT, description="Someone saved the record after you read `version`."),
        },
    ),
)
class RetireeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Retirees in the caller's scope, with the list page's filters and search (`q`)."""

    lookup_value_regex = ID_REGEX

    model = Retiree
    serializer_class = RetireeSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = RetireeApiFilterSet

    def get_queryset(self) -> QuerySet[Retiree]:
        qs = super().get_queryset().filter(is_deleted=False).select_related("org")
        return qs.prefetch_related("contacts").order_by("name_pinyin", "id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("create", "update", "partial_update"):
            return RetireeWriteSerializer
        return RetireeSerializer

    def _answer(self, people: list[Retiree], *, listing: bool = False) -> Any:
        context = {**self.get_serializer_context(), "revealed": self._reveal(people, listing=listing)}
        if listing:
            return RetireeSerializer(people, many=True, context=context).data
        return RetireeSerializer(people[0], context=context).data

    def _reveal(self, people: list[Retiree], *, listing: bool) -> set[int]:
        """Unmask where the caller may see sensitive data, and audit it.

        A single record (retrieve, create, update) writes one VIEW_SENSITIVE record through
        services.reveal(), as the detail page does. A list page writes ONE record for the
        page, listing the unmasked ids in `extra`, rather than one per person: a page of 50
        would otherwise write 50 records per request, and one record per answer still tells
        who saw whose data, and when. It is filed at the orgs' nearest common ancestor, the
        deepest org whose audit scope covers every person on the page.
        """
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
                org_path=_common_path([r.org.path for r in allowed]),
                extra={"ids": [r.pk for r in allowed], "fields": list(SENSITIVE), "via": "api"},
            )
        return {r.pk for r in allowed}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        people = list(page if page is not None else queryset)
        data = self._answer(people, listing=True)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._answer([self.get_object()]))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            retiree = services.do_create_retiree(by=request.user, org=data["org"], values=data["values"])
        except PermissionDenied as exc:
            raise exceptions.ValidationError({"org": [_org_refused(data["org"], exc)]}) from exc
        except ValidationError as exc:
            if services.is_duplicate(exc):
                services.record_duplicate_attempt(request.user, str(data["values"].get("id_number") or ""), "api")
            raise _drf_errors(exc) from exc
        retiree = self.get_queryset().get(pk=retiree.pk)
        return Response(self._answer([retiree]), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("version") is None:
            raise exceptions.ValidationError({"version": [_("Send back the version you read.")]})
        values = dict(data["values"])
        if "org" in data:
            values["org"] = data["org"]
        try:
            services.do_update_retiree(
                by=request.user, retiree=instance, values=values, expected_version=data["version"]
            )
        except services.EditConflict:
            return Response(
                {
                    "error": "conflict",
                    "message": _(
                        "Someone else saved this record after you read it (version %(v)d). Nothing was "
                        "changed: read it again, then make your changes again."
                    )
                    % {"v": data["version"]},
                },
                status=status.HTTP_409_CONFLICT,
            )
        except PermissionDenied as exc:
            raise exceptions.ValidationError({"org": [_org_refused(values.get("org"), exc)]}) from exc
        except ValidationError as exc:
            if services.is_duplicate(exc):
                services.record_duplicate_attempt(request.user, str(values.get("id_number") or ""), "api")
            raise _drf_errors(exc) from exc
        retiree = self.get_queryset().get(pk=instance.pk)
        return Response(self._answer([retiree]))


def _org_refused(org: Org | None, exc: PermissionDenied) -> str:
    if str(exc):
        return str(exc)
    return _("You may not manage records at %(code)s.") % {"code": getattr(org, "code", "?")}


def _common_path(paths: list[str]) -> str:
    """The nearest common ancestor: 330000/330100/330106/ and 330000/330100/ → 330000/330100/."""
    parts = [p.split("/")[:-1] for p in paths]
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    return "/".join(common) + "/" if common else ""

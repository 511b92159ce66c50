"""`/api/v1/services/`: 网上办's stable interface (issue #14).

    GET  items/                          the items the caller may apply for (a retiree: offered to them and
                                         eligible; staff: offered in their scope) {"code", "name", "fields",
                                         "steps", "limit_days", "documents"}
    POST cases/  {"item", "data", "retiree_id"?}    201 {"id", "status", "step", "due_on"}; 400 naming fields
    GET  cases/  (?waiting=me, ?status=, ?item=, ?org=, ?timing=)   GET cases/{id}/ with "history"
    POST cases/{id}/decide/   {"action": approve|return|reject, "comment", "version"?}   200 {"status", "step"}
    POST cases/{id}/resubmit/ {"data", "version"?}                                       200 {"status", "step"}

Who acts for whom: a retiree for themselves or a relative recorded in the registry (`retiree_id`); staff for a
retiree in their scope with cases.add_case there (代办, audited as on their behalf). Refusals are 409
{"error", "message"}: not_your_step, closed, not_eligible, duplicate, stale (and not_relative, invalid).
Outside the scope 404; inside it without the right 403. File fields of an item are attached on the pages;
the API files the other fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yinling.cases import policy, services
from yinling.cases.api_serializers import (
    ServicesCaseDetailSerializer,
    ServicesCaseSerializer,
    ServicesDecideInput,
    ServicesFiledAnswer,
    ServicesFileInput,
    ServicesItemSerializer,
    ServicesResubmitInput,
    ServicesStatusAnswer,
)
from yinling.cases.filters import CaseFilterSet
from yinling.cases.models import Case, ServiceItem
from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409
from yinling.core.scoping import can, get_scoped_or_404, has_anywhere
from yinling.registry import acting


def _field_errors(exc: ValidationError) -> exceptions.ValidationError:
    """The service's field errors as a 400 naming each field (under "data" for the form's own fields)."""
    return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"data": exc.messages})


def _body(request: Request) -> dict[str, Any]:
    return request.data if isinstance(request.data, dict) else {}


class ServiceItemViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Service items the caller may apply for (or, staff, file for people in their scope)."""

    serializer_class = ServicesItemSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return ServiceItem.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "retiree_id", OpenApiTypes.INT, description="staff: the items this retiree in their scope may apply for"
            )
        ]
    )
    def list(self, request: Request, format: str | None = None) -> Response:
        me = acting.retiree_of(request.user)
        named = request.query_params.get("retiree_id")
        if me is None and named not in (None, ""):
            pk = acting.as_id(named)
            if pk is None:
                raise exceptions.ValidationError({"retiree_id": ["Enter a retiree id (a whole number)."]})
            me = acting.staff_subject(request.user, pk, Case, "add")
        if me is not None:
            items = [
                i
                for i in policy.offered_items(me)
                if i.current and not policy.ineligible_reason(me, i.current.definition)
            ]
        else:
            if not has_anywhere(request.user, Case, "add"):
                raise PermissionDenied
            items = list(
                ServiceItem.objects.restrict(request.user, "view")
                .filter(is_active=True, current__isnull=False)
                .select_related("current")
                .order_by("name")
            )
        return Response(ServicesItemSerializer(items, many=True).data)


class CaseViewSet(RefusalsAs409, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Cases (办件): file, list, read with history, decide, resubmit."""

    lookup_value_regex = ID_REGEX
    serializer_class = ServicesCaseSerializer
    filterset_class = CaseFilterSet

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.none()

    def _related(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        return qs.select_related("item", "item_version", "step_org")

    def _case(self, request: Request, pk: str, action: str = "view") -> Case:
        """Staff: 404 outside the scope, 403 inside it without `action`. A retiree: their own or a recorded
        relative's case; any other id is a 404 like one that does not exist."""
        me = acting.retiree_of(request.user)
        if me is None:
            return get_scoped_or_404(self._related(Case.objects.all()), request.user, action, pk=pk)
        found = self._related(Case.objects.unrestricted()).filter(pk=pk).first()
        if found is None or not policy.may_see_as_applicant(request.user, found):
            raise Http404
        return found

    @extend_schema(
        parameters=[
            OpenApiParameter("waiting", OpenApiTypes.STR, description="me: cases waiting for the caller's decision"),
            OpenApiParameter("status", OpenApiTypes.STR),
            OpenApiParameter("item", OpenApiTypes.STR, description="an item's code"),
        ]
    )
    def list(self, request: Request, format: str | None = None) -> Response:
        me = acting.retiree_of(request.user)
        if me is not None:
            qs = Case.objects.unrestricted().filter(retiree=me).order_by("-pk")
        else:
            if not has_anywhere(request.user, Case, "view"):
                raise PermissionDenied
            if request.query_params.get("waiting") == "me":
                qs = policy.waiting_on(request.user).order_by("due_on", "pk")
            else:
                qs = Case.objects.restrict(request.user, "view").order_by("-pk")
            filterset = CaseFilterSet(request.query_params, queryset=qs, request=request)
            if not filterset.is_valid():
                raise exceptions.ValidationError(filterset.errors)
            qs = filterset.qs
        page = self.paginate_queryset(self._related(qs))
        return self.get_paginated_response(ServicesCaseSerializer(page, many=True).data)

    @extend_schema(responses={200: ServicesCaseDetailSerializer})
    def retrieve(self, request: Request, pk: str, format: str | None = None) -> Response:
        return Response(ServicesCaseDetailSerializer(self._case(request, pk)).data)

    @extend_schema(request=ServicesFileInput, responses={201: ServicesFiledAnswer, **REFUSALS})
    def create(self, request: Request, format: str | None = None) -> Response:
        data = ServicesFileInput(data=_body(request))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        named = v.get("retiree_id")
        me = acting.retiree_of(request.user)
        if me is not None:
            retiree = acting.family_subject(me, named)
        else:
            if named is None:
                raise exceptions.ValidationError({"retiree_id": ["Staff name the retiree they file for."]})
            retiree = acting.staff_subject(request.user, named, Case, "add")
        item = ServiceItem.objects.unrestricted().select_related("current").filter(code=v["item"]).first()
        if item is None:
            raise exceptions.ValidationError({"item": ["No such service item."]})
        try:
            case = services.do_file(by=request.user, item=item, retiree=retiree, data=v.get("data") or {})
        except ValidationError as exc:
            raise _field_errors(exc) from exc
        body = {"id": case.pk, "status": case.status, "step": case.step_name, "due_on": case.due_on}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServicesDecideInput, responses={200: ServicesStatusAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str, format: str | None = None) -> Response:
        case = self._case(request, pk)
        if acting.retiree_of(request.user) is not None or not can(request.user, "change", case):
            raise PermissionDenied
        data = ServicesDecideInput(data=_body(request))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            done = services.do_decide(
                by=request.user, case=case, action=v["action"], comment=v["comment"], expected_version=v.get("version")
            )
        except ValidationError as exc:
            raise _field_errors(exc) from exc
        return Response({"status": done.status, "step": done.step_name if done.is_open else ""})

    @extend_schema(request=ServicesResubmitInput, responses={200: ServicesStatusAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str, format: str | None = None) -> Response:
        case = self._case(request, pk, "add")
        data = ServicesResubmitInput(data=_body(request))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            done = services.do_resubmit(by=request.user, case=case, data=v["data"], expected_version=v.get("version"))
        except ValidationError as exc:
            raise _field_errors(exc) from exc
        return Response({"status": done.status, "step": done.step_name})


def register(router: BaseRouter) -> None:
    router.register("services/items", ServiceItemViewSet, basename="services-item")
    router.register("services/cases", CaseViewSet, basename="services-case")

"""`/api/v1/care/due/` (the caller's due list) and `/api/v1/care/visits/` (recording a visit; the visits the
caller may see, `?mine=1` those they recorded; a retiree: the visits to them).

POST visits/ names the retiree by id: 404 outside the caller's scope, 403 inside it without the right to
record visits; refusals are 409 (`not_eligible`, `duplicate`, `closed`, `invalid`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from yinling.care.api_serializers import DueItemSerializer, DueListSerializer, VisitCreated, VisitInput, VisitSerializer
from yinling.care.models import CampaignTarget, CarePlan, Visit
from yinling.care.services import selectors, visits
from yinling.core.api import ScopedViewSetMixin
from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409
from yinling.core.scoping import has_anywhere
from yinling.registry import acting

MAX_DAYS = 60


class DueView(RefusalsAs409, APIView):
    """The caller's due visits, overdue first: `?scope=mine` (the people they are responsible for; the default
    for a responsible worker) or `all` (everyone in their scope); `?days=` looks ahead (0–60, default 7)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", OpenApiTypes.STR, enum=["mine", "all"]),
            OpenApiParameter("days", OpenApiTypes.INT),
        ],
        responses={200: DueListSerializer},
    )
    def get(self, request: Request) -> Response:
        if not has_anywhere(request.user, CarePlan, "view"):
            raise exceptions.PermissionDenied()
        scope = request.query_params.get("scope") or ("mine" if selectors.is_worker(request.user) else "all")
        if scope not in ("mine", "all"):
            raise exceptions.ValidationError({"scope": [_("Choose mine or all.")]})
        raw_days = request.query_params.get("days")
        days = None
        if raw_days not in (None, ""):
            if not str(raw_days).isdigit() or int(raw_days) > MAX_DAYS:
                raise exceptions.ValidationError({"days": [_("Enter a number of days from 0 to 60.")]})
            days = int(raw_days)
        items = selectors.due_list(request.user, mine=scope == "mine", horizon=days)
        return Response(
            {
                "as_of": timezone.localdate(),
                "scope": scope,
                "count": len(items),
                "results": [DueItemSerializer.of(item) for item in items],
            }
        )


class VisitViewSet(RefusalsAs409, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Visit
    serializer_class = VisitSerializer
    lookup_value_regex = ID_REGEX

    def _retiree(self) -> Any:
        return acting.retiree_of(self.request.user)

    def get_queryset(self) -> QuerySet[Visit]:
        me = self._retiree()
        if me is not None:
            qs = selectors.visits_to(me)  # a retiree reads the visits to them
        else:
            qs = super().get_queryset()
            if getattr(self, "action", None) == "list" and self.request.query_params.get("mine") in ("1", "true"):
                qs = qs.filter(recorded_by_id=self.request.user.pk)
        return qs.select_related("retiree__org", "recorded_by", "campaign_target").order_by("-visited_on", "-id")

    def check_permissions(self, request: Request) -> None:
        if getattr(self, "action", None) in ("list", "retrieve") and self._retiree() is not None:
            return  # their own visits, by the queryset above
        super().check_permissions(request)

    def get_object(self) -> Any:
        if self._retiree() is not None:
            return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return super().get_object()

    @extend_schema(
        parameters=[OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the visits I recorded.")],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VisitInput, responses={201: VisitCreated, **REFUSALS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = VisitInput(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        retiree = acting.staff_subject(request.user, values.pop("retiree_id"), Visit, "add")
        target = None
        target_id = values.pop("campaign_target_id", None)
        if target_id is not None:
            target = CampaignTarget.objects.restrict(request.user, None).filter(pk=target_id).first()
            if target is None:
                raise exceptions.NotFound(_("No such campaign target."))
        visit = visits.do_record_visit(
            by=request.user,
            retiree=retiree,
            visited_on=values.pop("visited_on", None) or timezone.localdate(),
            target=target,
            **values,
        )
        plan = CarePlan.objects.unrestricted().get(retiree=retiree)
        return Response(
            {
                "id": visit.pk,
                "retiree_id": retiree.pk,
                "kind": visit.kind,
                "visited_on": visit.visited_on,
                "next_due_on": plan.next_due_on,
            },
            status=status.HTTP_201_CREATED,
        )


urlpatterns: list[Any] = [path("care/due/", DueView.as_view(), name="care-due")]


def register(router: BaseRouter) -> None:
    router.register("care/visits", VisitViewSet, basename="care-visit")

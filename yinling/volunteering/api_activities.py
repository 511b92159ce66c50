"""`/api/v1/volunteering/activities/`: list and read activities, create one, sign up, cancel, the organiser's
code, check in and out.

Who sees what
    Staff: the activities in their scope (404 outside it, 403 inside it without the right). A retiree: the
    activities open to them or theirs, and those of the teams they lead. Sign-up, check-in and check-out
    look up any live activity: the service answers why not (409 not_eligible, closed, …).

Answers
    201 {"status": "signed_up"} or {"status": "waitlisted", "position": n}; refusals are 409
    {"error": code, "message": text} with the codes full, closed, duplicate, not_volunteer, not_eligible,
    bad_code, too_many_tries, not_open, not_checked_in, already_checked_in (and not_signed_up, not_relative, invalid).
    Hours are decimal strings.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.volunteering import codes
from yinling.volunteering.api_activities_serializers import (
    ActivityInput,
    ActivitySerializer,
    CheckinAnswer,
    CheckinInput,
    CheckoutAnswer,
    CodeAnswer,
    CreatedAnswer,
    SignupAnswerSerializer,
    SignupInput,
)
from yinling.volunteering.filters_activities import ActivityFilterSet
from yinling.volunteering.models import Activity, Signup
from yinling.volunteering.services import activities as svc
from yinling.volunteering.services import attendance
from yinling.volunteering.services import selectors_activities as selectors

urlpatterns: list[Any] = []


def client_ip(request: Request) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def subject_of(request: Request) -> tuple[Retiree, Retiree | None]:
    """(whom the request signs up, the member acting or None for staff): registry.acting decides."""
    body = request.data if isinstance(request.data, dict) else {}
    named = body.get("retiree")
    if named not in (None, "") and acting.as_id(named) is None:
        raise exceptions.ValidationError({"retiree": ["Enter a retiree id (a whole number)."]})
    me = acting.retiree_of(request.user)
    if me is not None:
        return acting.family_subject(me, named), me
    if named in (None, ""):
        raise Http404
    return acting.staff_subject(request.user, acting.as_id(named) or 0, Signup, "add"), None


def _own_attendance(request: Request) -> None:
    """Check-in and check-out are a signed-in retiree's own: staff get 404, as on the pages."""
    if acting.retiree_of(request.user) is None:
        raise Http404


def signup_body(answer: svc.SignupAnswer) -> dict[str, Any]:
    body: dict[str, Any] = {"status": answer.status}
    if answer.position is not None:
        body["position"] = answer.position
    return body


class ActivityViewSet(RefusalsAs409, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Volunteer activities (志愿汇)."""

    lookup_value_regex = ID_REGEX
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet

    def get_queryset(self) -> QuerySet[Activity]:
        return selectors.listed_for(self.request.user).select_related("org").order_by("start", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, description="An org code: activities of it and below"),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("open", OpenApiTypes.STR, description="1: sign-up still open"),
        ]
    )
    def list(self, request: Request, format: str | None = None) -> Response:
        filterset = ActivityFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        data = ActivitySerializer(page, many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str, format: str | None = None) -> Response:
        return Response(ActivitySerializer(selectors.viewable(request.user, pk)).data)

    @extend_schema(request=ActivityInput, responses={201: CreatedAnswer, **REFUSALS})
    def create(self, request: Request, format: str | None = None) -> Response:
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not selectors.may_add(request.user):
            raise PermissionDenied
        # Looked up among the page's choices: an org or team not the user's reads as one that does not exist.
        orgs, teams = selectors.organiser_choices(request.user)
        org = orgs.filter(code=values.pop("org"), is_active=True).first()
        if org is None:
            raise exceptions.ValidationError({"org": ["No such org."]})
        team_id = values.pop("team", None)
        team = None
        if team_id is not None:
            team = teams.select_related("org").filter(pk=team_id, is_deleted=False).first()
            if team is None:
                raise exceptions.ValidationError({"team": ["No such team."]})
        activity = svc.do_create_activity(by=request.user, org=org, team=team, **values)
        return Response({"id": activity.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=SignupInput, responses={201: SignupAnswerSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def signup(self, request: Request, pk: str, format: str | None = None) -> Response:
        activity = selectors.live_activity(pk)
        retiree, member = subject_of(request)
        answer = svc.do_signup(by=request.user, activity=activity, retiree=retiree, member=member)
        return Response(signup_body(answer), status=status.HTTP_201_CREATED)

    @extend_schema(request=SignupInput, responses={200: SignupAnswerSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str, format: str | None = None) -> Response:
        activity = selectors.live_activity(pk)
        retiree, member = subject_of(request)
        signup = svc.do_cancel_signup(by=request.user, activity=activity, retiree=retiree, member=member)
        return Response({"status": signup.status})

    @extend_schema(responses={200: CodeAnswer})
    @action(detail=True, methods=["get"])
    def code(self, request: Request, pk: str, format: str | None = None) -> Response:
        activity = selectors.organised(request.user, pk, "code")
        code, valid_until = codes.current(activity.code_secret)
        return Response({"code": code, "valid_until": valid_until.isoformat()})

    @extend_schema(request=CheckinInput, responses={200: CheckinAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def checkin(self, request: Request, pk: str, format: str | None = None) -> Response:
        activity = selectors.live_activity(pk)
        _own_attendance(request)
        data = CheckinInput(data=request.data)
        data.is_valid(raise_exception=True)
        device = attendance.device_hash(
            data.validated_data.get("client_id", ""), request.META.get("HTTP_USER_AGENT", ""), client_ip(request)
        )
        done = attendance.do_checkin(
            by=request.user, activity=activity, code=data.validated_data["code"], device=device
        )
        return Response({"checked_in_at": done.checked_in_at.isoformat()})

    @extend_schema(request=None, responses={200: CheckoutAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def checkout(self, request: Request, pk: str, format: str | None = None) -> Response:
        activity = selectors.live_activity(pk)
        _own_attendance(request)
        done = attendance.do_checkout(by=request.user, activity=activity)
        return Response({"credited_hours": str(done.credited_hours)})


def register(router: BaseRouter) -> None:
    """Register this half's viewsets (paths start with "volunteering/")."""
    router.register("volunteering/activities", ActivityViewSet, basename="volunteering-activity")

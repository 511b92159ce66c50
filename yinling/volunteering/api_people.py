"""`/api/v1/volunteering/volunteers/`, `…/teams/` and `…/me/`: the people half of 志愿汇's API.

POST volunteers/ registers a volunteer: a signed-in retiree registers themselves (naming nobody, or their
own retiree_id); staff name the `retiree_id` of a retiree in their scope (404 outside it, 403 inside
without the right). A retiree naming any other id gets the same 409 whether or not the id exists, so
the answer tells nothing about the registry. 409 `duplicate` when already registered. Hours are decimal
strings.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from yinling.core.api import ScopedViewSetMixin
from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409, Refused
from yinling.registry import acting
from yinling.volunteering.api_people_serializers import (
    RegisterInput,
    TeamSerializer,
    VolunteerMeSerializer,
    VolunteerSerializer,
)
from yinling.volunteering.filters_people import TeamFilterSet, VolunteerFilterSet
from yinling.volunteering.models import Membership, Team, Volunteer
from yinling.volunteering.services import selectors, volunteers

NOT_YOURS = "not_eligible"


class VolunteerViewSet(RefusalsAs409, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Volunteers in the caller's scope (staff), and registering one (a retiree for themselves, or staff)."""

    model = Volunteer
    serializer_class = VolunteerSerializer
    lookup_value_regex = ID_REGEX
    filterset_class = VolunteerFilterSet

    def get_queryset(self) -> QuerySet[Volunteer]:
        return super().get_queryset().select_related("retiree__org").order_by("id")

    def check_permissions(self, request: Request) -> None:
        if getattr(self, "action", None) == "create":
            # Retirees register themselves; the service decides for staff (404/403 by scope and right).
            if not request.user or not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            return
        super().check_permissions(request)

    @extend_schema(request=RegisterInput, responses={201: VolunteerSerializer, **REFUSALS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RegisterInput(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        named = values.pop("retiree_id", None)
        me = acting.retiree_of(request.user)
        if me is not None:
            if named not in (None, me.pk):
                # Any other id, existing or not, gets the same answer: no oracle on the registry.
                raise Refused(NOT_YOURS, _("You can register only yourself as a volunteer."))
            retiree = me
        else:
            if named is None:
                raise exceptions.ValidationError({"retiree_id": [_("Name the retiree to register.")]})
            retiree = acting.staff_subject(request.user, named, Volunteer, "add")
        volunteer = volunteers.do_register_volunteer(by=request.user, retiree=retiree, **values)
        return Response(VolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)


class TeamViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Volunteer teams in the caller's scope."""

    model = Team
    serializer_class = TeamSerializer
    lookup_value_regex = ID_REGEX
    filterset_class = TeamFilterSet

    def get_queryset(self) -> QuerySet[Team]:
        return (
            super()
            .get_queryset()
            .select_related("org")
            .annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)))
            .order_by("id")
        )


class MeView(RefusalsAs409, APIView):
    """The signed-in volunteer's hours, stars and teams."""

    @extend_schema(responses={200: VolunteerMeSerializer, **REFUSALS})
    def get(self, request: Request) -> Response:
        me = acting.retiree_of(request.user)
        if me is None:
            raise exceptions.PermissionDenied(_("Only a retiree's own account has volunteer hours."))
        volunteer = volunteers.active_volunteer_of(me)
        if volunteer is None:
            raise Refused("not_volunteer", _("Not a registered volunteer yet."))
        return Response(selectors.me_summary(volunteer))


urlpatterns: list[Any] = [path("volunteering/me/", MeView.as_view(), name="volunteering-me")]


def register(router: BaseRouter) -> None:
    """Register this half's viewsets (paths start with "volunteering/")."""
    router.register("volunteering/volunteers", VolunteerViewSet, basename="volunteering-volunteer")
    router.register("volunteering/teams", TeamViewSet, basename="volunteering-team")

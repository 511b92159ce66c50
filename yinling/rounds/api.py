"""`/api/v1/care/rounds/`: 平安报 status rounds.

- `POST care/rounds/` `{"org": code, "title"}` opens a round for the org's subtree (201 with `id`); an org
  outside the caller's scope (or none) is 404, inside it without the right 403, a round already open there 409
  `duplicate`.
- `GET care/rounds/{id}/` → the round with `total`, `by_status` and `not_reached` over the people in the
  caller's scope; `GET care/rounds/{id}/people/?status=not_reached&org=CODE` lists them, paginated.
- `POST care/rounds/{id}/entries/` `{"retiree_id", "status", "needs", "source", "version"}` records an answer:
  staff for people in their scope (404 outside, 403 without the right, 409 `not_eligible` for someone in their
  scope who is not in the round); a retiree for themselves or a relative the registry records (any other id,
  existing or not, gets the same 409 `not_eligible`). 409 `closed` once closed, `stale` when `version` is old.
- `POST care/rounds/{id}/close/` `{"report"}` closes it (409 `closed` when already closed).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yinling.core.api import ScopedViewSetMixin
from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409, Refused
from yinling.core.scoping import can, has_anywhere
from yinling.orgs.models import Org
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.rounds.api_serializers import (
    CloseInput,
    EntryInput,
    EntrySerializer,
    OpenInput,
    RoundProgressSerializer,
    RoundSerializer,
)
from yinling.rounds.models import EntryStatus, Round, RoundEntry
from yinling.rounds.services import do_close_round, do_open_round, do_record_entry, selectors

NOT_ELIGIBLE = "not_eligible"


def _not_eligible() -> Refused:
    return Refused(NOT_ELIGIBLE, _("This person is not one you can answer for in this round."))


class RoundViewSet(RefusalsAs409, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """平安报 rounds in the caller's scope (and rounds opened above it, for its own people)."""

    model = Round
    serializer_class = RoundSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Round]:
        return super().get_queryset().select_related("org").order_by("-opened_at", "-id")

    def check_permissions(self, request: Request) -> None:
        if getattr(self, "action", None) == "entries":
            # Retirees answer too; the lookups below decide (404 / 403 / 409).
            if not request.user or not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            return
        super().check_permissions(request)

    def _get(self, action_: str) -> Round:
        found = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        if not can(self.request.user, action_, found):
            raise exceptions.PermissionDenied()
        return found

    @extend_schema(request=OpenInput, responses={201: RoundSerializer, **REFUSALS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = OpenInput(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        org = Org.objects.restrict(request.user, None).filter(code=data.validated_data["org"]).first()
        if org is None:
            raise Http404
        found = do_open_round(by=request.user, org=org, title=data.validated_data["title"])
        return Response(RoundSerializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: RoundProgressSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        progress = selectors.progress(request.user, found)
        return Response(RoundProgressSerializer(found, context={"progress": progress}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(EntryStatus.values), description="not_reached by default"),
            OpenApiParameter("org", str, description="an org's code: its subtree only"),
        ],
        responses={200: EntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def people(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The round's people in the caller's scope, by status (not reached yet by default)."""
        found = self.get_object()
        wanted = request.query_params.get("status", EntryStatus.NOT_REACHED)
        if wanted not in EntryStatus.values:
            raise exceptions.ValidationError(
                {"status": [_("Not a status: use one of %s.") % ", ".join(EntryStatus.values)]}
            )
        org = None
        if request.query_params.get("org"):
            org = Org.objects.restrict(request.user, None).filter(code=request.query_params["org"]).first()
            if org is None:
                raise exceptions.ValidationError({"org": [_("No such org in your scope.")]})
        rows = selectors.entry_list(request.user, found, status=wanted, org=org)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(request=EntryInput, responses={200: EntrySerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def entries(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        data = EntryInput(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        me = acting.retiree_of(request.user)
        entry = self._member_entry(me, pk, values["retiree_id"]) if me is not None else self._staff_entry(pk, values)
        saved = do_record_entry(
            by=request.user,
            entry=entry,
            status=values["status"],
            needs=values.get("needs", ""),
            source=values.get("source", ""),
            version=values.get("version"),
        )
        return Response(EntrySerializer(saved).data)

    def _member_entry(self, me: Retiree, pk: Any, retiree_id: int) -> RoundEntry:
        family = [p.pk for p in acting.family_of(me)]
        mine = RoundEntry.objects.unrestricted().filter(round_id=pk, retiree_id__in=family).select_related("round")
        if not mine.exists():
            raise Http404  # no question in this round for them or their family: as if it did not exist
        entry = mine.filter(retiree_id=retiree_id).first()
        if entry is None:
            raise _not_eligible()
        return entry

    def _staff_entry(self, pk: Any, values: dict[str, Any]) -> RoundEntry:
        user = self.request.user
        if not has_anywhere(user, RoundEntry, "view") and not has_anywhere(user, RoundEntry, "change"):
            raise exceptions.PermissionDenied()
        found = Round.objects.restrict(user, None).filter(pk=pk).first()
        if found is None:
            raise Http404
        entry = (
            RoundEntry.objects.restrict(user, None)
            .filter(round=found, retiree_id=values["retiree_id"])
            .select_related("round", "org")
            .first()
        )
        if entry is None:
            if Retiree.objects.restrict(user, None).filter(pk=values["retiree_id"]).exists():
                raise _not_eligible()  # theirs, but not in this round (joined the registry after it opened)
            raise Http404
        if not can(user, "change", entry):
            raise exceptions.PermissionDenied()
        return entry

    @extend_schema(request=CloseInput, responses={200: RoundProgressSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        found = self._get("view")
        data = CloseInput(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        closed = do_close_round(by=request.user, round_=found, report=data.validated_data["report"])
        progress = selectors.progress(request.user, closed)
        return Response(RoundProgressSerializer(closed, context={"progress": progress}).data)


def register(router: BaseRouter) -> None:
    router.register("care/rounds", RoundViewSet, basename="care-round")

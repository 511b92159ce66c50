"""`/api/v1/timebank/`: the time bank for integrations (浙里办, 钉钉) and the member's own phone.

Who acts (registry.acting decides it, for the pages too)
    A signed-in retiree account acts as its registry record, and may name a relative recorded
    in the registry as the `recipient` of a need or a booking (family on their behalf). Staff
    act for a member by passing the member's retiree id (`retiree`, `recipient` or `provider`),
    which needs the right permission at that member's org and is recorded as on behalf. An id
    that is no relative of the member, does not exist or was deleted gets the same 409
    not_relative; a retiree id that is not a positive whole number is a 400.

Answers
    Hours are decimal strings ("12.50"). A transfer or step the rules refuse answers 409
    {"error": code, "message": …} and writes nothing (each request is one transaction).
    Outside the caller's scope a record does not exist (404); inside it, a missing
    permission is 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409, RefusalSerializer
from yinling.core.scoping import can, can_at, has_anywhere
from yinling.orgs.models import Org
from yinling.registry import acting
from yinling.registry.models import Retiree
from yinling.timebank import services
from yinling.timebank.api_serializers import (
    AccountRowSerializer,
    AccountSchema,
    BookInput,
    DonationAnswer,
    DonationInput,
    GiftAnswer,
    GiftInput,
    GrantAnswer,
    GrantInput,
    HoursInput,
    IssueAnswer,
    IssueInput,
    NeedInput,
    OfferInput,
    OfferSerializer,
    RequestSerializer,
    ResolveInput,
    TransferSerializer,
    account_data,
    fmt,
    posted_data,
)
from yinling.timebank.filters import RequestApiFilterSet
from yinling.timebank.models import Account, Offer, ServiceRequest
from yinling.timebank.services import offers as service_offers


def data_of(request: Request) -> dict[str, Any]:
    """The request body as a mapping (a JSON list or scalar counts as empty)."""
    return request.data if isinstance(request.data, dict) else dict(getattr(request.data, "items", lambda: [])())


def not_member() -> Response:
    return Response(
        {"error": "not_member", "message": _("Not a member of the time bank yet.")}, status=status.HTTP_404_NOT_FOUND
    )


def retiree_id(value: Any, field: str) -> int | None:
    """A retiree id from the request body: None when absent, 400 when it cannot be an id."""
    if value in (None, ""):
        return None
    pk = acting.as_id(value)
    if pk is None:
        raise exceptions.ValidationError({field: [_("Enter a retiree id (a whole number).")]})
    return pk


def acting_member(request: Request, field: str = "retiree") -> tuple[Retiree, bool]:
    """(the member this request acts as, whether staff act on their behalf): registry.acting decides."""
    return acting.acting_as(request.user, retiree_id(data_of(request).get(field), field))


def valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- accounts -----------------------------------------------------------------------------------


class AccountViewSet(RefusalsAs409, viewsets.GenericViewSet):
    """Members' accounts: `me/` for a signed-in member, by retiree id for staff (scoped)."""

    lookup_field = "retiree"
    lookup_value_regex = ID_REGEX
    serializer_class = AccountSchema

    def get_queryset(self) -> QuerySet[Account]:
        return Account.objects.filter(kind=Account.Kind.MEMBER).select_related("retiree__org")

    @extend_schema(responses={200: AccountSchema, 404: RefusalSerializer})
    @action(detail=False, url_path="me")
    def me(self, request: Request, format: str | None = None) -> Response:
        retiree = services.retiree_of(request.user)
        account = services.member_account(retiree) if retiree else None
        if account is None:
            return not_member()
        return Response(account_data(account))

    @extend_schema(
        parameters=[OpenApiParameter("provider", OpenApiTypes.BOOL, description="Providers only")],
        responses=AccountRowSerializer(many=True),
    )
    def list(self, request: Request, format: str | None = None) -> Response:
        """Staff: members in scope with their balances."""
        if not has_anywhere(request.user, Account, "view"):
            raise PermissionDenied
        qs = (
            Account.objects.restrict(request.user, "view")
            .filter(kind=Account.Kind.MEMBER)
            .select_related("retiree__org")
            .order_by("id")
        )
        if request.query_params.get("provider") in ("1", "true"):
            qs = qs.filter(is_provider=True)
        page = self.paginate_queryset(qs)
        rows = [
            {
                "account": a.pk,
                "retiree": a.retiree_id,
                "name": a.retiree.name if a.retiree else "",
                "org": a.retiree.org.code if a.retiree else "",
                "balance": fmt(a.balance),
                "is_provider": a.is_provider,
            }
            for a in (page if page is not None else qs)
        ]
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(responses={200: AccountSchema, 404: RefusalSerializer})
    def retrieve(self, request: Request, retiree: str, format: str | None = None) -> Response:
        """Staff: one member's account (404 outside scope, 403 without timebank.view_account)."""
        account = (
            Account.objects.restrict(request.user, None)
            .filter(kind=Account.Kind.MEMBER, retiree_id=int(retiree))
            .select_related("retiree__org", "org")
            .first()
        )
        if account is None:
            person = Retiree.objects.restrict(request.user, None).filter(pk=int(retiree)).select_related("org").first()
            if person is None:
                return Response(
                    {"error": "not_found", "message": _("No such person.")}, status=status.HTTP_404_NOT_FOUND
                )
            if not can_at(request.user, Account, "view", person.org):
                raise PermissionDenied
            return not_member()
        if not can(request.user, "view", account):
            raise PermissionDenied
        return Response(account_data(account))


# --- transfers ----------------------------------------------------------------------------------


class IssueView(RefusalsAs409, APIView):
    """Issue hours into an org's pool (bureau admin of that org or above; reason and document number)."""

    @extend_schema(request=IssueInput, responses={201: IssueAnswer, **REFUSALS})
    def post(self, request: Request, org_code: str) -> Response:
        org = get_object_or_404(Org.objects.restrict(request.user, None), code=org_code)
        if not can_at(request.user, Account, "issue", org):
            raise PermissionDenied
        data = valid(IssueInput, request)
        with transaction.atomic():
            transfer = services.do_issue(
                by=request.user, org=org, hours=data["hours"], reason=data["reason"], document_no=data["document_no"]
            )
            pool = services.pool_for(org)
        return Response(
            {"transfer": TransferSerializer(transfer).data, "pool": {"org": org.code, "balance": fmt(pool.balance)}},
            status=status.HTTP_201_CREATED,
        )


class GrantView(RefusalsAs409, APIView):
    """Grant hours from the pool serving the member's org (staff with timebank.grant_account)."""

    @extend_schema(request=GrantInput, responses={201: GrantAnswer, **REFUSALS})
    def post(self, request: Request) -> Response:
        data = valid(GrantInput, request)
        retiree = acting.staff_subject(request.user, data["to"], Account, "grant")
        with transaction.atomic():
            posted = services.do_grant(by=request.user, retiree=retiree, hours=data["hours"], reason=data["reason"])
            target = services.member_account(retiree)
            assert target is not None
            body = posted_data(posted, target)
        return Response(body, status=status.HTTP_201_CREATED)


class DonationView(RefusalsAs409, APIView):
    """The member donates hours to the pool serving their org."""

    @extend_schema(request=DonationInput, responses={201: DonationAnswer, 404: RefusalSerializer, **REFUSALS})
    def post(self, request: Request) -> Response:
        data = valid(DonationInput, request)
        try:
            retiree, on_behalf = acting_member(request)
        except Http404:
            return not_member()
        with transaction.atomic():
            transfer = services.do_donate(by=request.user, retiree=retiree, hours=data["hours"], on_behalf=on_behalf)
            account = services.member_account(retiree)
            assert account is not None
        return Response(
            {"transfer": TransferSerializer(transfer).data, "balance": fmt(account.balance)},
            status=status.HTTP_201_CREATED,
        )


class GiftView(RefusalsAs409, APIView):
    """The member gives hours to a relative recorded in the registry."""

    @extend_schema(request=GiftInput, responses={201: GiftAnswer, 404: RefusalSerializer, **REFUSALS})
    def post(self, request: Request) -> Response:
        data = valid(GiftInput, request)
        try:
            giver, on_behalf = acting_member(request)
        except Http404:
            return not_member()
        with transaction.atomic():
            # A relative may live anywhere; an unknown id is answered like an unrelated person.
            to = acting.family_subject(giver, data["to"], str(services.GIFT_TO_RELATIVES))
            posted = services.do_gift(by=request.user, giver=giver, to=to, hours=data["hours"], on_behalf=on_behalf)
            source = services.member_account(giver)
            assert source is not None
            source.refresh_from_db(fields=["balance"])
            body = posted_data(posted, posted.transfer.to_account)
            body["balance"] = fmt(source.balance)
            body["recipient_balance"] = fmt(posted.transfer.to_account.balance)
        return Response(body, status=status.HTTP_201_CREATED)


# --- requests and offers ------------------------------------------------------------------------


class _MemberOrStaff(RefusalsAs409):
    @property
    def me(self) -> Retiree | None:
        if not hasattr(self, "_me"):
            self._me = services.retiree_of(self.request.user)  # type: ignore[attr-defined]
        return self._me

    @property
    def my_account(self) -> Account | None:
        if not hasattr(self, "_my_account"):
            self._my_account = services.member_account(self.me) if self.me else None
        return self._my_account


class RequestViewSet(_MemberOrStaff, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Needs and the service cycle.

    A member lists their own needs and services (`?board=1`: open needs near them, nearest
    first); staff list every need in scope with the page's filters. POST creates a need;
    the actions move it along: accept → report → confirm (or dispute → resolve), cancel,
    no_show.
    """

    lookup_value_regex = ID_REGEX  # an id past 64 bits is no route (404), not a database overflow

    serializer_class = RequestSerializer
    filterset_class = RequestApiFilterSet

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        related = ("recipient__retiree", "provider__retiree", "org")
        if self.me is not None:
            account = self.my_account
            if account is None:
                return ServiceRequest.objects.none()
            if self.action == "list" and self.request.query_params.get("board") in ("1", "true"):
                return services.open_needs_near(self.me, account)
            mine = Q(recipient=account) | Q(provider=account)
            if self.action != "list":
                mine |= Q(pk__in=services.open_needs_near(self.me, account).values("pk"))
            return (
                ServiceRequest.objects.unrestricted()
                .filter(mine)
                .select_related(*related)
                .order_by("-created_at", "-id")
            )
        base = ServiceRequest.objects.restrict(self.request.user, "view" if self.action == "list" else None)
        return base.select_related(*related).order_by("-created_at", "-id")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.me is not None:
            return queryset
        return super().filter_queryset(queryset)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if self.action == "list" and self.me is None and not has_anywhere(request.user, ServiceRequest, "view"):
            raise PermissionDenied

    def get_object(self) -> ServiceRequest:
        need = super().get_object()
        if self.me is None:
            action_name = "view" if self.action == "retrieve" else "change"
            if not can(self.request.user, action_name, need):
                raise PermissionDenied
        return need

    @extend_schema(parameters=[OpenApiParameter("board", OpenApiTypes.BOOL, description="Members: open needs near me")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=NeedInput, responses={201: RequestSerializer, **REFUSALS})
    def create(self, request: Request) -> Response:
        data = valid(NeedInput, request)
        recipient_id = data.pop("recipient", None)
        user = request.user
        poster = self.me
        if poster is not None:
            # The member, or family for a relative: the same rule as the page's "for whom".
            recipient = acting.family_subject(poster, recipient_id, str(services.POST_FOR_RELATIVES))
        elif recipient_id is None:
            raise exceptions.ValidationError({"recipient": ["the member in need (retiree id)"]})
        else:
            recipient = acting.staff_subject(user, recipient_id, ServiceRequest, "add")
        with transaction.atomic():
            need = services.do_post_need(by=user, recipient=recipient, poster=poster, **data)
        return Response(RequestSerializer(need).data, status=status.HTTP_201_CREATED)

    def _respond(self, need: ServiceRequest) -> Response:
        need = (
            ServiceRequest.objects.unrestricted()
            .select_related("recipient__retiree", "provider__retiree", "org")
            .get(pk=need.pk)
        )
        return Response(RequestSerializer(need).data)

    def _require_member(self, need: ServiceRequest, role: str) -> None:
        """Members may only do their own side's steps; staff got here with change permission."""
        if self.me is None:
            return
        account = self.my_account
        own = need.recipient_id if role == "recipient" else need.provider_id
        if account is None or own != account.pk:
            raise PermissionDenied

    @extend_schema(
        request=inline_serializer("AcceptInput", {"provider": serializers.IntegerField(required=False)}),
        responses={200: RequestSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        if self.me is not None:
            provider = self.me
        else:
            named = retiree_id(data_of(request).get("provider"), "provider")
            if named is None:
                raise exceptions.ValidationError({"provider": ["the provider (retiree id)"]})
            provider = acting.staff_subject(request.user, named, Retiree, "view")  # as the page's picker
        with transaction.atomic():
            need = services.do_accept(by=request.user, need=need, provider=provider)
        return self._respond(need)

    @extend_schema(request=HoursInput, responses={200: RequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        self._require_member(need, "provider")
        data = valid(HoursInput, request)
        with transaction.atomic():
            need = services.do_report(by=request.user, need=need, hours=data["hours"])
        return self._respond(need)

    @extend_schema(
        request=inline_serializer("ConfirmInput", {"rating": serializers.IntegerField(min_value=1, max_value=5)}),
        responses={200: RequestSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        self._require_member(need, "recipient")
        try:
            rating = int(data_of(request).get("rating"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise exceptions.ValidationError({"rating": ["1 to 5 stars"]}) from exc
        with transaction.atomic():
            need = services.do_confirm(by=request.user, need=need, rating=rating, on_behalf=self.me is None)
        return self._respond(need)

    @extend_schema(
        request=inline_serializer("CancelInput", {"reason": serializers.CharField(required=False)}),
        responses={200: RequestSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        self._require_member(need, "recipient")
        with transaction.atomic():
            need = services.do_cancel(by=request.user, need=need, reason=str(data_of(request).get("reason", "")))
        return self._respond(need)

    @extend_schema(request=None, responses={200: RequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def no_show(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        self._require_member(need, "recipient")
        with transaction.atomic():
            need = services.do_no_show(by=request.user, need=need)
        return self._respond(need)

    @extend_schema(
        request=inline_serializer("DisputeInput", {"reason": serializers.CharField()}),
        responses={200: RequestSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        self._require_member(need, "recipient")
        with transaction.atomic():
            need = services.do_dispute(by=request.user, need=need, reason=str(data_of(request).get("reason", "")))
        return self._respond(need)

    @extend_schema(request=ResolveInput, responses={200: RequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        if self.me is not None:
            raise PermissionDenied  # staff settle disputes
        # The settlement rule (0, or a positive multiple of the unit) is the service's; broken, it is a 400 on `hours`.
        serializer = ResolveInput(data=request.data, context={"unit": services.settlement_unit(need)})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            need = services.do_resolve(by=request.user, need=need, hours=data["hours"], note=data["note"])
        return self._respond(need)


class OfferViewSet(_MemberOrStaff, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Providers' published skills: members see active offers near them and their own; `book` reserves one."""

    lookup_value_regex = ID_REGEX  # an id past 64 bits is no route (404), not a database overflow

    serializer_class = OfferSerializer

    def get_queryset(self) -> QuerySet[Offer]:
        if self.me is not None:
            account = self.my_account
            # The offers the page shows (services.offers_near: active, near, by helpers still registered),
            # and the member's own.
            near = Q(pk__in=services.offers_near(self.me, account).values("pk"))
            qs = Offer.objects.unrestricted().filter(near | Q(provider=account) if account else near)
        else:
            qs = Offer.objects.restrict(self.request.user, "view" if self.action == "list" else None)
        return qs.select_related("provider__retiree", "org").order_by("-created_at", "-id")

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if self.action == "list" and self.me is None and not has_anywhere(request.user, Offer, "view"):
            raise PermissionDenied

    def get_object(self) -> Offer:
        offer = super().get_object()
        if self.me is None and not can(self.request.user, "view", offer):
            raise PermissionDenied
        return offer

    @extend_schema(request=OfferInput, responses={201: OfferSerializer, **REFUSALS})
    def create(self, request: Request) -> Response:
        data = valid(OfferInput, request)
        named = data.pop("provider", None)
        if self.me is not None and named in (None, self.me.pk):
            provider = self.me
        elif self.me is not None:
            raise PermissionDenied
        else:
            if named is None:
                raise exceptions.ValidationError({"provider": ["the provider (retiree id)"]})
            provider = acting.staff_subject(request.user, named, Offer, "add")
        with transaction.atomic():
            offer = services.do_publish_offer(by=request.user, provider=provider, **data)
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BookInput, responses={201: RequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def book(self, request: Request, pk: str) -> Response:
        offer = self.get_object()
        data = valid(BookInput, request)
        named = data.pop("recipient", None)
        booker = self.me
        if booker is not None:
            # The member, or family for a relative: the same rule as the page's "for whom".
            recipient = acting.family_subject(booker, named, str(service_offers.BOOK_FOR_RELATIVES))
        elif named is None:
            raise exceptions.ValidationError({"recipient": ["the member booking (retiree id)"]})
        else:
            recipient = acting.staff_subject(request.user, named, ServiceRequest, "add")
        with transaction.atomic():
            need = service_offers.book(by=request.user, offer=offer, booker=booker, recipient=recipient, **data)
        need = (
            ServiceRequest.objects.unrestricted()
            .select_related("recipient__retiree", "provider__retiree", "org")
            .get(pk=need.pk)
        )
        return Response(RequestSerializer(need).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OfferSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        offer = self.get_object()
        if self.me is not None:
            if self.my_account is None or offer.provider_id != self.my_account.pk:
                raise PermissionDenied
        elif not can(request.user, "change", offer):
            raise PermissionDenied
        with transaction.atomic():
            offer = services.do_withdraw_offer(by=request.user, offer=offer)
        return Response(OfferSerializer(offer).data)

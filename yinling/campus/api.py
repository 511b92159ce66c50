"""`/api/v1/campus/`: the senior university's stable interface (issue #13).

    GET  sections/?term=&site=&course=&category=&open=1     GET sections/{id}/ (with seats_left)
    POST sections/                                          a registrar adds a section (201 {"id"})
    POST sections/{id}/enroll/   {"retiree_id"?, "rank"?}   201 enrolled | 201 waitlisted+position | 202 applied
    POST sections/{id}/withdraw/ {"retiree_id"?}            200 {"status": "withdrawn"}
    POST sections/{id}/accept/   /decline/                  an offered seat (200 {"status"})
    GET  me/                                                {"retiree_id", "enrolments": [...]}
    POST terms/  courses/                                   201 {"id"}
    POST terms/{id}/draw/                                   the lottery (200 with the revealed seed)
    GET  terms/{id}/lottery/                                {"seed_sha256", "seed" (null until drawn), "results"}

Who acts for whom: a retiree for themselves, or for a relative recorded in the registry (`retiree_id`);
staff for a retiree in their scope with campus.add_enrolment there (代办, audited as on their behalf),
into a section in their scope. Refusals are 409 {"error", "message"}: full, limit, clash, not_eligible,
closed, duplicate (and not_enrolled, no_offer, not_relative, invalid). Outside scope 404, inside without
the right 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yinling.campus import lottery
from yinling.campus.api_serializers import (
    CampusCourseInput,
    CampusCreatedAnswer,
    CampusDrawAnswer,
    CampusEnrolAnswer,
    CampusEnrolInput,
    CampusLotteryAnswer,
    CampusMeAnswer,
    CampusSectionInput,
    CampusSectionSerializer,
    CampusStatusAnswer,
    CampusTermInput,
)
from yinling.campus.filters import SectionFilterSet
from yinling.campus.models import Course, Enrolment, LotteryDraw, Section, Site, Term
from yinling.campus.services import catalogue, draw, enrol, offers, selectors
from yinling.core.converters import ID_REGEX
from yinling.core.refusals import REFUSALS, RefusalsAs409
from yinling.core.scoping import get_scoped_or_404, has_anywhere
from yinling.registry import acting
from yinling.registry.models import Retiree


def subject_of(request: Request, section_pk: Any) -> tuple[Section, Retiree, bool]:
    """(the section, whom the request is for, whether on their behalf): registry.acting decides who may act
    for whom; staff reach only sections in their scope."""
    body = request.data if isinstance(request.data, dict) else {}
    named = body.get("retiree_id")
    if named not in (None, "") and acting.as_id(named) is None:
        raise exceptions.ValidationError({"retiree_id": ["Enter a retiree id (a whole number)."]})
    me = acting.retiree_of(request.user)
    if me is not None:
        subject = acting.family_subject(me, named)
        return enrol.live_section(section_pk), subject, subject.pk != me.pk
    if named in (None, ""):
        raise Http404
    section = get_scoped_or_404(
        Section.objects.restrict(request.user, None).select_related("term__school", "course", "site__org"),
        request.user,
        "view",
        pk=section_pk,
    )
    return section, acting.staff_subject(request.user, acting.as_id(named) or 0, Enrolment, "add"), True


def live_context(request: Request) -> dict[str, Any]:
    """Staff see every live link in their scope; a retiree only those of the classes they have a seat in."""
    if selectors.is_staff(request.user):
        return {}
    retiree = acting.retiree_of(request.user)
    seated = (
        set(
            Enrolment.objects.unrestricted()
            .filter(retiree=retiree, status=Enrolment.Status.ENROLLED)
            .values_list("section_id", flat=True)
        )
        if retiree is not None
        else set()
    )
    return {"live_sections": seated}


def _answer(answer: enrol.Answer) -> Response:
    body: dict[str, Any] = {"status": answer.status}
    if answer.position is not None:
        body["position"] = answer.position
    code = status.HTTP_202_ACCEPTED if answer.status == "applied" else status.HTTP_201_CREATED
    return Response(body, status=code)


class SectionViewSet(RefusalsAs409, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Sections (classes) of the senior university."""

    lookup_value_regex = ID_REGEX
    serializer_class = CampusSectionSerializer
    filterset_class = SectionFilterSet

    def get_queryset(self) -> QuerySet[Section]:
        return selectors.catalogue(self.request.user).order_by("term__starts", "course__name", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("term", OpenApiTypes.INT),
            OpenApiParameter("site", OpenApiTypes.STR, description="a site's id or org code"),
            OpenApiParameter("course", OpenApiTypes.INT),
            OpenApiParameter("open", OpenApiTypes.STR, description="1: taking requests now"),
        ]
    )
    def list(self, request: Request, format: str | None = None) -> Response:
        if selectors.is_staff(request.user) and not has_anywhere(request.user, Section, "view"):
            raise PermissionDenied
        filterset = SectionFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        context = live_context(request)
        return self.get_paginated_response(CampusSectionSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str, format: str | None = None) -> Response:
        section = selectors.viewable(request.user, pk)
        return Response(CampusSectionSerializer(section, context=live_context(request)).data)

    @extend_schema(request=CampusSectionInput, responses={201: CampusCreatedAnswer, **REFUSALS})
    def create(self, request: Request, format: str | None = None) -> Response:
        if not has_anywhere(request.user, Section, "add"):
            raise PermissionDenied
        data = CampusSectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        # Looked up among what the caller may use: another subtree's term reads as one that does not exist.
        term = (
            Term.objects.restrict(request.user, "view").select_related("school__org").filter(pk=v.pop("term")).first()
        )
        if term is None:
            raise exceptions.ValidationError({"term": ["No such term."]})
        course = Course.objects.restrict(request.user, "view").filter(pk=v.pop("course"), school=term.school).first()
        if course is None:
            raise exceptions.ValidationError({"course": ["No such course at the term's school."]})
        sites = Site.objects.restrict(request.user, "view").select_related("org")
        site = sites.filter(org__code=v.pop("site"), school=term.school).first()
        if site is None:
            raise exceptions.ValidationError({"site": ["No such site of the term's school."]})
        slots = [(s["weekday"], s["start"], s["end"]) for s in v.pop("slots")]
        section = catalogue.do_create_section(by=request.user, course=course, term=term, site=site, slots=slots, **v)
        return Response({"id": section.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=CampusEnrolInput, responses={201: CampusEnrolAnswer, 202: CampusEnrolAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def enroll(self, request: Request, pk: str, format: str | None = None) -> Response:
        data = CampusEnrolInput(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        section, retiree, on_behalf = subject_of(request, pk)
        rank = data.validated_data.get("rank")
        return _answer(
            enrol.do_enrol(by=request.user, section=section, retiree=retiree, on_behalf=on_behalf, rank=rank)
        )

    @extend_schema(request=CampusEnrolInput, responses={200: CampusStatusAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str, format: str | None = None) -> Response:
        section, retiree, on_behalf = subject_of(request, pk)
        done = enrol.do_withdraw(by=request.user, section=section, retiree=retiree, on_behalf=on_behalf)
        return Response({"status": done.status})

    @extend_schema(request=CampusEnrolInput, responses={200: CampusStatusAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str, format: str | None = None) -> Response:
        section, retiree, on_behalf = subject_of(request, pk)
        done = offers.do_accept(by=request.user, section=section, retiree=retiree, on_behalf=on_behalf)
        return Response({"status": done.status})

    @extend_schema(request=CampusEnrolInput, responses={200: CampusStatusAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str, format: str | None = None) -> Response:
        section, retiree, on_behalf = subject_of(request, pk)
        done = offers.do_decline(by=request.user, section=section, retiree=retiree, on_behalf=on_behalf)
        return Response({"status": done.status})


class TermViewSet(RefusalsAs409, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Terms: add one, run its lottery, read the lottery's published record."""

    lookup_value_regex = ID_REGEX
    serializer_class = CampusTermInput

    def get_queryset(self) -> QuerySet[Term]:
        return Term.objects.restrict(self.request.user, "view").select_related("school__org")

    @extend_schema(request=CampusTermInput, responses={201: CampusCreatedAnswer, **REFUSALS})
    def create(self, request: Request, format: str | None = None) -> Response:
        if not has_anywhere(request.user, Term, "add"):
            raise PermissionDenied
        data = CampusTermInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        school = selectors.schools_where(request.user, Term).filter(org__code=v.pop("school")).first()
        if school is None:
            raise exceptions.ValidationError({"school": ["No such school."]})
        term = catalogue.do_create_term(by=request.user, school=school, **v)
        return Response({"id": term.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CampusDrawAnswer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def draw(self, request: Request, pk: str, format: str | None = None) -> Response:
        term = get_scoped_or_404(self.get_queryset(), request.user, "view", pk=pk)
        done = draw.do_draw(by=request.user, term=term)
        counts = {"enrolled": 0, "waitlisted": 0}
        for row in lottery_rows(done):
            counts[row["status"]] += 1
        return Response({"seed": term.seed, "results_sha256": done.digest, **counts})

    @extend_schema(responses={200: CampusLotteryAnswer})
    @action(detail=True, methods=["get"])
    def lottery(self, request: Request, pk: str, format: str | None = None) -> Response:
        term = published_term(pk)
        return Response(lottery_record(term))


def lottery_rows(done: LotteryDraw) -> list[dict[str, Any]]:
    import json

    return list(json.loads(done.results))


def published_term(pk: Any) -> Term:
    """Any live term: a lottery's record is public (the page needs no sign-in; the API, any signed-in caller)."""
    text = str(pk)
    if not text.isdigit() or len(text) > 18:
        raise Http404
    term = Term.objects.unrestricted().filter(pk=int(text), is_deleted=False).select_related("school").first()
    if term is None:
        raise Http404
    return term


def lottery_record(term: Term) -> dict[str, Any]:
    done = LotteryDraw.objects.unrestricted().filter(term=term).first() if term.drawn_at else None
    return {
        "term": term.pk,
        "seed_sha256": term.seed_sha256,
        "seed": term.seed if done else None,
        "drawn_at": term.drawn_at,
        "algorithm": done.algorithm if done else lottery.ALGORITHM,
        "results_sha256": done.digest if done else None,
        "results": lottery_rows(done) if done else [],
    }


class CourseViewSet(RefusalsAs409, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Courses: a registrar adds one to a school's catalogue."""

    serializer_class = CampusCourseInput

    def get_queryset(self) -> QuerySet[Course]:
        return Course.objects.restrict(self.request.user, "view")

    @extend_schema(request=CampusCourseInput, responses={201: CampusCreatedAnswer, **REFUSALS})
    def create(self, request: Request, format: str | None = None) -> Response:
        if not has_anywhere(request.user, Course, "add"):
            raise PermissionDenied
        data = CampusCourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        school = selectors.schools_where(request.user, Course).filter(org__code=v.pop("school")).first()
        if school is None:
            raise exceptions.ValidationError({"school": ["No such school."]})
        course = catalogue.do_create_course(by=request.user, school=school, **v)
        return Response({"id": course.pk}, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: CampusMeAnswer})
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in retiree's requests this term and after (404 for staff: they have none)."""
    retiree = acting.retiree_of(request.user)
    if retiree is None:
        raise Http404
    rows = []
    for item in selectors.enrolments_of(retiree):
        e = item["enrolment"]
        rows.append(
            {
                "section": e.section_id,
                "status": e.status,
                "position": item["position"],
                "course": e.section.course.name,
                "term": e.term.name,
                "offered_until": e.offered_until,
                "fee_due_on": e.fee_due_on,
            }
        )
    return Response({"retiree_id": retiree.pk, "enrolments": rows})


def register(router: BaseRouter) -> None:
    router.register("campus/sections", SectionViewSet, basename="campus-section")
    router.register("campus/terms", TermViewSet, basename="campus-term")
    router.register("campus/courses", CourseViewSet, basename="campus-course")


def urlpatterns() -> list[Any]:
    from django.urls import path

    return [path("campus/me/", me, name="campus-me")]

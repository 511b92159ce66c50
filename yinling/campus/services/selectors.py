"""Read-only queries the pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from yinling.campus.models import Enrolment, School, Section, Term
from yinling.campus.services.enrol import answer_for
from yinling.registry.models import Retiree


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", "") != "retiree"


def catalogue(user: Any) -> QuerySet[Section]:
    """The sections a person may browse: a retiree, every live section of a term not yet over (the catalogue
    is open to every signed-in retiree, wherever the school is); staff, the sections in their scope."""
    if is_staff(user):
        qs = Section.objects.restrict(user, "view")
    elif getattr(user, "is_authenticated", False):
        qs = Section.objects.unrestricted().filter(is_deleted=False, term__ends__gte=timezone.localdate())
    else:
        return Section.objects.none()
    return (
        qs.filter(term__is_deleted=False, course__is_deleted=False, site__is_deleted=False)
        .select_related("course", "term__school__org", "site__org")
        .prefetch_related("slots")
    )


def open_q(now: Any = None) -> Q:
    """Sections taking requests now: the term's window is open (and a lottery not yet drawn)."""
    now = now or timezone.now()
    return Q(term__apply_from__lte=now, term__apply_until__gt=now, term__drawn_at__isnull=True)


def viewable(user: Any, pk: Any) -> Section:
    from yinling.core.scoping import get_scoped_or_404

    if is_staff(user):
        return get_scoped_or_404(catalogue(user), user, "view", pk=pk)  # type: ignore[no-any-return]
    try:
        return catalogue(user).get(pk=int(str(pk)))
    except (ValueError, Section.DoesNotExist, OverflowError):
        raise Http404 from None


def schools_where(user: Any, model: type, action: str = "add") -> QuerySet[School]:
    """Schools whose org lets `user` do `action` on `model` (where they may add a term, a course)."""
    from yinling.core.scoping import orgs_where

    orgs = orgs_where(user, model, action)
    return School.objects.restrict(user, None).filter(org__in=orgs).select_related("org")


def waitlist_lengths(section_ids: list[int]) -> dict[int, int]:
    rows = (
        Enrolment.objects.unrestricted()
        .filter(section_id__in=section_ids, status=Enrolment.Status.WAITLISTED)
        .values("section_id")
        .annotate(n=Count("pk"))
    )
    return {r["section_id"]: r["n"] for r in rows}


def applicants_per_section(term: Term) -> dict[int, int]:
    rows = (
        Enrolment.objects.unrestricted()
        .filter(term=term)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("section_id")
        .annotate(n=Count("pk"))
    )
    return {r["section_id"]: r["n"] for r in rows}


def enrolments_of(retiree: Retiree, *, current: bool = True) -> list[dict[str, Any]]:
    """A person's requests (live ones first), each with its answer (waitlist position)."""
    qs = (
        Enrolment.objects.unrestricted()
        .filter(retiree=retiree)
        .select_related("section__course", "section__site", "term__school")
        .prefetch_related("section__slots")
        .order_by("-term__starts", "section__course__name", "pk")
    )
    if current:
        qs = qs.filter(term__ends__gte=timezone.localdate())
    out = []
    for e in qs:
        answer = answer_for(e)
        out.append({"enrolment": e, "status": e.status, "position": answer.position})
    return out

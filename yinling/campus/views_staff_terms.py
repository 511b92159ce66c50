"""The registrars' desk, part 2: terms, their published lottery seed and the draw.

The term page shows the seed's SHA-256 from the start and the seed itself once drawn, so anyone can
check the draw was not made up afterwards; the public lottery page re-runs it (campus:lottery_public).
Only holders of campus.draw_section at the school's org see and may press the draw button.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.campus.filters_staff import TermFilterSet
from yinling.campus.forms import TermForm
from yinling.campus.models import Section, Term
from yinling.campus.services import catalogue, draw
from yinling.campus.services.selectors import schools_where
from yinling.campus.tables import TermTable
from yinling.campus.views_staff import DeskDetailView, DeskEditView
from yinling.core import refusals
from yinling.core.refusals import Refused
from yinling.core.scoping import can_at, get_scoped_or_404
from yinling.core.views import ObjectListView


class TermListView(ObjectListView):
    model = Term
    table_class = TermTable
    filterset_class = TermFilterSet
    title = gettext_lazy("Terms")
    add_url_name = "campus:term_add"

    def get_queryset(self) -> QuerySet[Term]:
        return super().get_queryset().select_related("school")


def lottery_url(term: Term) -> str:
    """The public lottery page (the member pages' owner builds it); its plain path until it exists."""
    try:
        return reverse("campus:lottery_public", args=[term.pk])
    except NoReverseMatch:
        return f"/campus/lottery/{term.pk}/"


def may_draw(user: Any, term: Term) -> bool:
    return can_at(user, Section, "draw", term.school.org)


class TermDetailView(DeskDetailView):
    model = Term
    template_name = "campus/staff/term_detail.html"

    def get_lookup_queryset(self) -> QuerySet[Term]:
        return Term.objects.select_related("school__org")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        term = self.object
        user = self.request.user
        assert isinstance(term, Term)
        ctx.update(
            term=term,
            can_draw=term.mode == Term.Mode.LOTTERY and term.drawn_at is None and may_draw(user, term),
            lottery_url=lottery_url(term),
            sections=Section.objects.restrict(user, "view")
            .filter(term=term)
            .select_related("course", "site")
            .order_by("course__name", "pk"),
        )
        return ctx


class TermAddView(DeskEditView):
    model = Term
    form_class = TermForm
    detail_url_name = "campus:term_detail"
    list_url_name = "campus:term_list"

    def form_extra(self) -> dict[str, Any]:
        return {"schools": schools_where(self.request.user, Term)}

    def save(self, form: BaseModelForm) -> Term:
        assert isinstance(form, TermForm)
        return catalogue.do_create_term(by=self.request.user, school=form.cleaned_data["school"], **form.values())


@login_required
@require_POST
def term_draw(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_scoped_or_404(Term.objects.select_related("school__org"), request.user, "view", pk=pk)
    if not may_draw(request.user, term):
        raise PermissionDenied
    try:
        done = draw.do_draw(by=request.user, term=term)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The lottery is drawn. Results SHA-256: %(digest)s") % {"digest": done.digest})
    return redirect("campus:term_detail", pk=term.pk)

"""Offer pages: helpers publish and withdraw the help they offer; members browse offers near them and
book one (for themselves or a recorded relative; staff acting for a member, 代办, do the same), which
posts a need already taken on by that helper: the normal need cycle follows. Staff list the offers
in their scope, withdraw them, and book them for members who are never online.

Member pages read only the member's own offers and the open offers near them (elder mode, as
the other member pages). Staff pages go through Offer.objects.restrict(): outside the user's
subtrees an offer does not exist (404), inside them a missing permission is 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinling.core import refusals
from yinling.core.member_pages import member_page
from yinling.core.scoping import can, has_anywhere
from yinling.core.views import ObjectListView
from yinling.registry.accounts import member_for
from yinling.registry.models import Retiree
from yinling.timebank import services
from yinling.timebank.filters import OfferFilterSet
from yinling.timebank.forms_offers import BookForm, OfferForm, StaffBookForm
from yinling.timebank.ledger import Refused
from yinling.timebank.models import Offer, ServiceRequest
from yinling.timebank.services import offers as services_offers
from yinling.timebank.tables import OfferTable
from yinling.timebank.views_member import _require_member
from yinling.timebank.views_shared import CRUMB


def _card(offer: Offer) -> Offer:
    """The offer with its description split for display (skill, availability)."""
    offer.skill, offer.available = services_offers.split_description(offer.description)  # type: ignore[attr-defined]
    return offer


def _booked(request: HttpRequest, need: ServiceRequest, name: str) -> None:
    messages.success(
        request,
        _("Booked (No. %(no)s): %(helper)s will help %(name)s on %(when)s.")
        % {
            "no": need.pk,
            "helper": need.provider.retiree.name if need.provider and need.provider.retiree else "",
            "name": name,
            "when": timezone.localtime(need.starts_at).strftime("%m-%d %H:%M"),
        },
    )


# --- members --------------------------------------------------------------------------------------


@login_required
def offers(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    page = Paginator(services.offers_near(me, account), 20).get_page(request.GET.get("page"))
    for offer in page.object_list:
        _card(offer)
    return member_page(
        request,
        "timebank/offers.html",
        {"me": me, "account": account, "page": page, "on_behalf": on_behalf},
    )


@login_required
def my_offers(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    if account is None:
        return redirect("timebank:home")
    return member_page(
        request,
        "timebank/my_offers.html",
        {
            "me": me,
            "account": account,
            "offers": [_card(o) for o in services.offers_of(account)],
            "on_behalf": on_behalf,
        },
    )


@login_required
def offer_new(request: HttpRequest) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    context: dict[str, Any] = {"title": _("Offer your help"), "submit": _("Publish"), "me": me, "on_behalf": on_behalf}
    if account is None or not account.is_provider:
        context.update(
            hide_form=True,
            intro=_("Only registered helpers can offer help. Join as a helper first, or ask your bureau."),
        )
        return member_page(request, "timebank/member_form.html", context)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_offers.publish(by=request.user, provider=me, **form.values())
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            messages.success(request, _("Your offer is published. Members nearby can now book it."))
            return redirect("timebank:my_offers")
    context.update(
        form=form,
        intro=_("Members near you will see this and can book a time with you."),
        back=reverse("timebank:my_offers"),
    )
    return member_page(request, "timebank/member_form.html", context)


@login_required
def offer_book(request: HttpRequest, pk: int) -> HttpResponse:
    me, account, on_behalf = _require_member(request)
    offer = _card(get_object_or_404(services.offers_near(me, account), pk=pk))
    form = BookForm(request.POST or None, people=services.family_of(me))
    if request.method == "POST" and form.is_valid():
        recipient = form.recipient()
        try:
            need = services_offers.book(
                by=request.user, offer=offer, booker=me, recipient=recipient, **form.book_values()
            )
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            _booked(request, need, recipient.name)
            return redirect("timebank:home")
    return member_page(
        request,
        "timebank/offer_book.html",
        {"offer": offer, "form": form, "me": me, "on_behalf": on_behalf},
    )


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The helper withdraws their own offer; staff who may change it withdraw any in their scope."""
    me, on_behalf = member_for(request)
    account = services.member_account(me) if me else None
    offer = Offer.objects.unrestricted().filter(provider=account, pk=pk).first() if account else None
    as_staff = offer is None
    if offer is None:
        if me is not None and not on_behalf:
            raise Http404
        offer = _staff_offer(request, pk, "change")
    try:
        services.do_withdraw_offer(by=request.user, offer=offer)
    except Refused as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, _("The offer was withdrawn. Bookings already made go on as usual."))
    return redirect("timebank:staff_offer", pk=pk) if as_staff else redirect("timebank:my_offers")


# --- staff ----------------------------------------------------------------------------------------


def _staff_offer(request: HttpRequest, pk: int, action: str) -> Offer:
    offer = get_object_or_404(
        Offer.objects.restrict(request.user, None).select_related("provider__retiree", "org"), pk=pk
    )
    if not can(request.user, action, offer):
        raise PermissionDenied
    return _card(offer)


class OfferListView(ObjectListView):
    model = Offer
    table_class = OfferTable
    filterset_class = OfferFilterSet
    title = gettext_lazy("Offers")

    def get_queryset(self) -> QuerySet[Offer]:
        sensitive = (f"provider__retiree__{f}" for f in Retiree.audit_sensitive)
        return super().get_queryset().select_related("provider__retiree", "org").defer(*sensitive)

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return [(str(CRUMB), reverse("timebank:home")), (str(self.title), "")]


@login_required
def staff_offer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _staff_offer(request, pk, "view")
    user = request.user
    return render(
        request,
        "timebank/offer_detail.html",
        {
            "offer": offer,
            "bookings": services.bookings_of(offer)[:50],
            "can_change": can(user, "change", offer) and offer.is_active,
            "can_book": offer.is_active and has_anywhere(user, ServiceRequest, "add"),
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Offers"), reverse("timebank:staff_offers")),
                (f"#{offer.pk}", ""),
            ],
        },
    )


@login_required
def staff_offer_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff book an offer for a member in their scope (代办)."""
    offer = _staff_offer(request, pk, "view")
    user = request.user
    if not has_anywhere(user, ServiceRequest, "add"):
        raise PermissionDenied
    people = Retiree.objects.restrict(user, perm="timebank.add_servicerequest").select_related("org")
    form = StaffBookForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        recipient = form.cleaned_data["recipient"]
        try:
            need = services_offers.book(by=user, offer=offer, booker=None, recipient=recipient, **form.book_values())
        except Refused as exc:
            refusals.on_form(form, exc)
        else:
            _booked(request, need, recipient.name)
            return redirect("timebank:request", pk=need.pk)
    return render(
        request,
        "timebank/offer_staff_book.html",
        {
            "offer": offer,
            "form": form,
            "breadcrumbs": [
                (CRUMB, reverse("timebank:home")),
                (_("Offers"), reverse("timebank:staff_offers")),
                (f"#{offer.pk}", reverse("timebank:staff_offer", args=[offer.pk])),
                (_("Book for a member"), ""),
            ],
        },
    )

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yinling.timebank.models import Account, Offer, ServiceRequest, Transfer
from yinling.timebank.services.offers import split_description

ATTRS = {"class": "table table-striped table-hover align-middle"}


class MemberTable(tables.Table):
    name = tables.Column(
        verbose_name=_("name"), accessor="retiree__name", order_by=("retiree__name_pinyin",), linkify=False
    )
    org = tables.Column(verbose_name=_("managing org"), accessor="retiree__org__name", order_by=("org__path",))
    balance = tables.Column(verbose_name=_("balance (hours)"), attrs={"td": {"class": "text-end"}})
    is_provider = tables.BooleanColumn(verbose_name=_("provides services"), yesno=(_("Yes"), _("No")))
    joined_at = tables.DateColumn(verbose_name=_("joined"), format="Y-m-d")

    class Meta:
        model = Account
        fields = ("name", "org", "balance", "is_provider", "joined_at")
        attrs = ATTRS

    def render_name(self, value: str, record: Account) -> Any:
        return format_html('<a href="{}">{}</a>', reverse("timebank:member", args=[record.retiree_id]), value)


class RequestTable(tables.Table):
    id = tables.Column(verbose_name=_("No."))
    category = tables.Column(verbose_name=_("category"))
    recipient = tables.Column(
        verbose_name=_("recipient"), accessor="recipient__retiree__name", order_by=("recipient__retiree__name_pinyin",)
    )
    provider = tables.Column(
        verbose_name=_("provider"), accessor="provider__retiree__name", order_by=("provider__retiree__name_pinyin",)
    )
    starts_at = tables.DateTimeColumn(verbose_name=_("from"), format="Y-m-d H:i")
    expected_hours = tables.Column(verbose_name=_("expected hours"))
    actual_hours = tables.Column(verbose_name=_("actual hours"))
    status = tables.Column(verbose_name=_("status"))
    org = tables.Column(verbose_name=_("org"), accessor="org__name", order_by=("org__path",))

    class Meta:
        model = ServiceRequest
        fields = ("id", "category", "recipient", "provider", "starts_at", "expected_hours", "actual_hours", "status")
        attrs = ATTRS

    def render_id(self, value: int) -> Any:
        return format_html('<a href="{}">#{}</a>', reverse("timebank:request", args=[value]), value)


class TransferTable(tables.Table):
    id = tables.Column(verbose_name=_("No."))
    created_at = tables.DateTimeColumn(verbose_name=_("time"), format="Y-m-d H:i")
    kind = tables.Column(verbose_name=_("kind"))
    from_account = tables.Column(verbose_name=_("from"), orderable=False)
    to_account = tables.Column(verbose_name=_("to"), orderable=False)
    amount = tables.Column(verbose_name=_("hours"), attrs={"td": {"class": "text-end"}})
    reason = tables.Column(verbose_name=_("reason"), orderable=False)
    actions = tables.Column(verbose_name=_("actions"), empty_values=(), orderable=False)

    class Meta:
        model = Transfer
        fields = ("id", "created_at", "kind", "from_account", "to_account", "amount", "reason")
        attrs = ATTRS

    def render_reason(self, value: str, record: Transfer) -> Any:
        if record.on_behalf:
            return format_html("{} <span class='badge text-bg-secondary'>{}</span>", value, _("on behalf"))
        return value

    def render_actions(self, record: Transfer) -> Any:
        if record.kind in (Transfer.Kind.REVERSAL, Transfer.Kind.CAP_OVERFLOW):
            return ""
        if getattr(record, "is_reversed", False):
            return _("reversed")
        return format_html(
            '<a href="{}">{}<span class="visually-hidden"> #{}</span></a>',
            reverse("timebank:reverse", args=[record.pk]),
            _("Reverse"),
            record.pk,
        )


class OfferTable(tables.Table):
    provider = tables.Column(
        verbose_name=_("provider"), accessor="provider__retiree__name", order_by=("provider__retiree__name_pinyin",)
    )
    category = tables.Column(verbose_name=_("category"))
    description = tables.Column(verbose_name=_("offered help"), orderable=False)
    available = tables.Column(verbose_name=_("when available"), accessor="description", orderable=False)
    community = tables.Column(verbose_name=_("community"))
    org = tables.Column(verbose_name=_("org"), accessor="org__name", order_by=("org__path",))
    is_active = tables.BooleanColumn(verbose_name=_("open"), yesno=(_("Yes"), _("No")))
    created_at = tables.DateColumn(verbose_name=_("published"), format="Y-m-d")

    class Meta:
        model = Offer
        fields = ("provider", "category", "description", "available", "community", "org", "is_active", "created_at")
        attrs = ATTRS

    def render_provider(self, value: str, record: Offer) -> Any:
        return format_html('<a href="{}">{}</a>', reverse("timebank:staff_offer", args=[record.pk]), value)

    def render_description(self, value: str) -> str:
        return split_description(value)[0]

    def render_available(self, value: str) -> str:
        return split_description(value)[1] or "—"

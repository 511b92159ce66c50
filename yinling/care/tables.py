"""Tables of care's staff lists. People by name and org only."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yinling.care.models import Campaign, CarePlan, Plan1P1C, Visit

ATTRS = {"class": "table table-striped table-hover align-middle"}


def person_link(record: Any) -> Any:
    return format_html('<a href="{}">{}</a>', reverse("care:person", args=[record.retiree_id]), record.retiree.name)


class VisitTable(tables.Table):
    retiree = tables.Column(verbose_name=_("retiree"), accessor="retiree__name", order_by=("retiree__name_pinyin",))
    org = tables.Column(verbose_name=_("org"), accessor="retiree__org__name", orderable=False)
    kind = tables.Column(verbose_name=_("kind"))
    visited_on = tables.DateColumn(verbose_name=_("date"), format="Y-m-d")
    visitors = tables.Column(verbose_name=_("visitors"))
    given = tables.Column(verbose_name=_("what was given"), default="—")

    class Meta:
        model = Visit
        fields = ("visited_on", "retiree", "org", "kind", "visitors", "given")
        attrs = ATTRS
        order_by = ("-visited_on",)

    def render_visited_on(self, value: Any, record: Visit) -> Any:
        return format_html('<a href="{}">{}</a>', reverse("care:visit", args=[record.pk]), value.isoformat())

    def render_retiree(self, value: str, record: Visit) -> Any:
        return person_link(record)


class PlanTable(tables.Table):
    retiree = tables.Column(verbose_name=_("retiree"), accessor="retiree__name", order_by=("retiree__name_pinyin",))
    org = tables.Column(verbose_name=_("org"), accessor="org__name", orderable=False)
    risk = tables.Column(verbose_name=_("risk level"))
    worker = tables.Column(verbose_name=_("responsible worker"), accessor="worker__username", default="—")
    last_visit_on = tables.DateColumn(verbose_name=_("last visit"), format="Y-m-d", default="—")
    next_visit_on = tables.DateColumn(verbose_name=_("next visit due"), format="Y-m-d")

    class Meta:
        model = CarePlan
        fields = ("retiree", "org", "risk", "worker", "last_visit_on", "next_visit_on")
        attrs = ATTRS
        order_by = ("next_visit_on",)

    def render_retiree(self, value: str, record: CarePlan) -> Any:
        return person_link(record)

    def render_next_visit_on(self, value: Any, record: CarePlan) -> Any:
        if value < timezone.localdate():
            return format_html('{} <span class="badge text-bg-danger">{}</span>', value.isoformat(), _("overdue"))
        return value.isoformat()


class PolicyTable(tables.Table):
    retiree = tables.Column(verbose_name=_("retiree"), accessor="retiree__name", order_by=("retiree__name_pinyin",))
    org = tables.Column(verbose_name=_("org"), accessor="retiree__org__name", orderable=False)
    responsible = tables.Column(verbose_name=_("responsible person"), accessor="responsible__username", default="—")
    last_reviewed_on = tables.DateColumn(verbose_name=_("last reviewed"), format="Y-m-d", default="—")
    next_review_on = tables.DateColumn(verbose_name=_("next review"), format="Y-m-d")

    class Meta:
        model = Plan1P1C
        fields = ("retiree", "org", "responsible", "last_reviewed_on", "next_review_on")
        attrs = ATTRS
        order_by = ("next_review_on",)

    def render_retiree(self, value: str, record: Plan1P1C) -> Any:
        return person_link(record)

    def render_next_review_on(self, value: Any, record: Plan1P1C) -> Any:
        if value < timezone.localdate():
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>', value.isoformat(), _("review overdue")
            )
        return value.isoformat()


class CampaignTable(tables.Table):
    name = tables.Column(verbose_name=_("name"))
    org = tables.Column(verbose_name=_("org"), accessor="org__name", orderable=False)
    kind = tables.Column(verbose_name=_("kind"))
    starts_on = tables.DateColumn(verbose_name=_("starts"), format="Y-m-d")
    ends_on = tables.DateColumn(verbose_name=_("ends"), format="Y-m-d")
    status = tables.Column(verbose_name=_("status"))

    class Meta:
        model = Campaign
        fields = ("name", "org", "kind", "starts_on", "ends_on", "status")
        attrs = ATTRS
        order_by = ("-starts_on",)

    def render_name(self, value: str, record: Campaign) -> Any:
        return format_html('<a href="{}">{}</a>', reverse("care:campaign", args=[record.pk]), value)

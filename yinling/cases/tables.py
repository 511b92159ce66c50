"""Tables of the staff lists. Applicants show by name and org only (no sensitive field)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinling.cases.models import Case, ServiceItem

ATTRS = {"class": "table table-striped table-hover align-middle"}


class CaseTable(tables.Table):
    id = tables.Column(verbose_name=_("No."), linkify=lambda record: reverse("cases:case", args=[record.pk]))
    item = tables.Column(accessor="item__name", verbose_name=_("item"))
    applicant = tables.Column(accessor="retiree__name", verbose_name=_("applicant"), order_by=("retiree__name_pinyin",))
    org = tables.Column(accessor="org__name", verbose_name=_("org"), order_by=("org__path",))
    status = tables.Column(verbose_name=_("status"))
    step = tables.Column(accessor="step", verbose_name=_("step"), orderable=False)
    step_org = tables.Column(accessor="step_org__name", verbose_name=_("waiting at"), orderable=False)
    due_on = tables.DateColumn(verbose_name=_("due on"), format="Y-m-d")
    filed_at = tables.DateTimeColumn(verbose_name=_("filed at"), format="Y-m-d")

    class Meta:
        model = Case
        fields = ("id", "item", "applicant", "org", "status", "step", "step_org", "due_on", "filed_at")
        attrs = ATTRS

    def render_step(self, record: Case) -> str:
        return record.step_name if record.is_open else "—"

    def render_due_on(self, record: Case, value: Any) -> str:
        text = value.isoformat() if value else ""
        if record.status == Case.Status.IN_PROGRESS and value and value < timezone.localdate():
            return f"{text} {_('overdue')}"
        return text


class ItemTable(tables.Table):
    name = tables.Column(verbose_name=_("name"), linkify=lambda record: reverse("cases:item", args=[record.pk]))
    code = tables.Column(verbose_name=_("code"))
    org = tables.Column(accessor="org__name", verbose_name=_("defined at"), order_by=("org__path",))
    version = tables.Column(accessor="current__number", verbose_name=_("version"), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("offered now"))

    class Meta:
        model = ServiceItem
        fields = ("name", "code", "org", "version", "is_active")
        attrs = ATTRS

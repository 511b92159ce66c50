from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yinling.volunteering.models import Activity

ATTRS = {"class": "table table-striped table-hover align-middle"}


class ActivityTable(tables.Table):
    title = tables.Column(verbose_name=_("title"))
    org = tables.Column(verbose_name=_("org"), accessor="org__name", order_by=("org__path",))
    start = tables.DateTimeColumn(verbose_name=_("starts"), format="Y-m-d H:i")
    place = tables.Column(verbose_name=_("place"))
    capacity = tables.Column(verbose_name=_("places"), default="—")
    signed_up = tables.Column(verbose_name=_("signed up"))
    is_cancelled = tables.BooleanColumn(verbose_name=_("cancelled"), yesno=(_("Yes"), _("No")))

    class Meta:
        model = Activity
        fields = ("title", "org", "start", "place", "capacity", "signed_up", "is_cancelled")
        attrs = ATTRS
        order_by = ("-start",)

    def render_title(self, value: str, record: Activity) -> Any:
        return format_html('<a href="{}">{}</a>', reverse("volunteering:activity_manage", args=[record.pk]), value)

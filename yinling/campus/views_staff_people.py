"""The registrars' desk, part 4: the enrolments of a term (list and export) and family safety pledges.

People show masked as in the registry's staff lists: the name, the birth year, the last four ID digits
and a masked phone, never a whole ID number, in the list and in the export alike.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.utils.translation import gettext_lazy

from yinling.campus.filters_staff import EnrolmentFilterSet, PledgeFilterSet
from yinling.campus.forms import PledgeForm
from yinling.campus.models import Enrolment, SafetyPledge, School
from yinling.campus.tables import EnrolmentTable, PledgeTable
from yinling.campus.views_staff import DeskDetailView, DeskEditView
from yinling.core.views import ObjectListView
from yinling.registry.models import Retiree


class EnrolmentListView(ObjectListView):
    model = Enrolment
    table_class = EnrolmentTable
    filterset_class = EnrolmentFilterSet
    title = gettext_lazy("Enrolments")
    tab_filter = "status"
    export_columns = [  # Chinese headings, as the other exports; masked as the registry's lists
        ("姓名", "retiree.name"),
        ("性别", "retiree.get_gender_display"),
        ("出生年份", "retiree.birth_date.year"),
        ("身份证号", "retiree.id_masked"),
        ("联系电话", "retiree.phone_masked"),
        ("管理单位", "retiree.org.name"),
        ("学期", "term.name"),
        ("课程", "section.course.name"),
        ("班级", "section.name"),
        ("教学点", "section.site.name"),
        ("状态", "get_status_display"),
        ("志愿", "rank"),
        ("缴费截止", "fee_due_on"),
        ("缴费日期", "fee_paid_on"),
        ("代办", "on_behalf"),
        ("报名时间", "created_at"),
    ]

    def get_queryset(self) -> QuerySet[Enrolment]:
        return super().get_queryset().select_related("retiree", "section__course", "section__site", "term")

    def export_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .export_queryset()
            .select_related("retiree__org", "section__course", "section__site", "term")
            .order_by("section_id", "status", "queue", "pk")
        )


class PledgeListView(ObjectListView):
    model = SafetyPledge
    table_class = PledgeTable
    filterset_class = PledgeFilterSet
    title = gettext_lazy("Family safety pledges")
    add_url_name = "campus:pledge_add"

    def get_queryset(self) -> QuerySet[SafetyPledge]:
        return super().get_queryset().select_related("retiree", "school")


class PledgeDetailView(DeskDetailView):
    model = SafetyPledge
    edit_url_name = "campus:pledge_edit"

    def get_lookup_queryset(self) -> QuerySet[SafetyPledge]:
        return SafetyPledge.objects.select_related("retiree__org", "school")


class PledgeEditView(DeskEditView):
    """Plain CRUD: the model is registered with the audit trail (setup_catalogue.audit)."""

    model = SafetyPledge
    form_class = PledgeForm
    detail_url_name = "campus:pledge_detail"
    list_url_name = "campus:pledge_list"
    org_fields = ()

    def form_extra(self) -> dict[str, Any]:
        user = self.request.user
        return {
            "people": Retiree.objects.restrict(user, perm=f"campus.{self.action}_safetypledge").select_related("org"),
            "schools": School.objects.restrict(user, "view"),
        }

    def save(self, form: BaseModelForm) -> SafetyPledge:
        pledge = form.save(commit=False)
        assert isinstance(pledge, SafetyPledge)
        if pledge.recorded_by_id is None:
            pledge.recorded_by = self.request.user  # type: ignore[assignment]
        pledge.save()
        return pledge

"""Care's staff lists on the generic views: visits, plans, 一人一策 (overdue reviews), campaigns. Each filters,
sorts, paginates and exports (audited) the rows the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yinling.care.filters import CampaignFilterSet, PlanFilterSet, PolicyFilterSet, VisitFilterSet
from yinling.care.models import Campaign, CarePlan, Plan1P1C, Visit
from yinling.care.tables import CampaignTable, PlanTable, PolicyTable, VisitTable
from yinling.core.views import ObjectListView


class VisitListView(ObjectListView):
    model = Visit
    table_class = VisitTable
    filterset_class = VisitFilterSet
    title = _("Visit records")
    add_url_name = "care:visit_add"
    export_columns = [
        ("日期", "visited_on"),
        ("姓名", "retiree.name"),
        ("管理单位", "retiree.org.name"),
        ("方式", "get_kind_display"),
        ("事由", "get_occasion_display"),
        ("走访人", "visitors"),
        ("慰问品", "given"),
        ("发现的需求", "needs"),
        ("后续事项", "follow_up"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("retiree__org")

    def export_queryset(self) -> QuerySet[Any]:
        return super().export_queryset().select_related("retiree__org")


class PlanListView(ObjectListView):
    model = CarePlan
    table_class = PlanTable
    filterset_class = PlanFilterSet
    title = _("Care plans")
    export_columns = [
        ("姓名", "retiree.name"),
        ("管理单位", "org.name"),
        ("风险等级", "get_risk_display"),
        ("依据", "risk_reasons"),
        ("责任人", "worker.username"),
        ("上次走访", "last_visit_on"),
        ("下次走访", "next_visit_on"),
        ("下次电话", "next_call_on"),
        ("下次谈心", "next_talk_on"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("retiree", "org", "worker")

    def export_queryset(self) -> QuerySet[Any]:
        return super().export_queryset().select_related("retiree", "org", "worker")


class PolicyListView(ObjectListView):
    model = Plan1P1C
    table_class = PolicyTable
    filterset_class = PolicyFilterSet
    title = _("一人一策 plans")
    export_columns = [
        ("姓名", "retiree.name"),
        ("管理单位", "retiree.org.name"),
        ("需求", "needs"),
        ("措施", "measures"),
        ("责任人", "responsible.username"),
        ("上次评估", "last_reviewed_on"),
        ("下次评估", "next_review_on"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("retiree__org", "responsible")

    def export_queryset(self) -> QuerySet[Any]:
        return super().export_queryset().select_related("retiree__org", "responsible")


class CampaignListView(ObjectListView):
    model = Campaign
    table_class = CampaignTable
    filterset_class = CampaignFilterSet
    title = _("Festival campaigns")
    add_url_name = "care:campaign_add"
    export_columns = [
        ("名称", "name"),
        ("单位", "org.name"),
        ("类型", "get_kind_display"),
        ("开始", "starts_on"),
        ("结束", "ends_on"),
        ("状态", "get_status_display"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("org")

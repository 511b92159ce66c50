from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yinling.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from yinling.orgs.filters import OrgFilterSet
from yinling.orgs.forms import OrgForm
from yinling.orgs.models import Org
from yinling.orgs.tables import OrgTable


class OrgListView(ObjectListView):
    model = Org
    table_class = OrgTable
    filterset_class = OrgFilterSet
    title = _("Org tree")
    template_name = "orgs/org_list.html"
    add_url_name = "orgs:add"
    export_columns = [
        ("代码", "code"),
        ("名称", "name"),
        ("类型", "get_kind_display"),
        ("上级代码", "parent.code"),
        ("行政区划", "division_id"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("parent", "division")


class OrgDetailView(ObjectDetailView):
    model = Org
    template_name = "orgs/org_detail.html"
    lookup_field = "code"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org: Org = self.object
        ctx["ancestors"] = org.ancestors()
        ctx["children"] = org.children.order_by("code")
        ctx["subtree_count"] = org.subtree().count() - 1
        ctx["staff_count"] = org.users.filter(is_active=True, kind="staff").count()
        return ctx


class OrgEditView(ObjectEditView):
    model = Org
    form_class = OrgForm
    lookup_field = "code"
    org_fields = ("parent",)


class OrgDeleteView(ObjectDeleteView):
    model = Org
    lookup_field = "code"
    success_url_name = "orgs:list"

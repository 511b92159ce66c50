"""Audit pages: read and export only; nothing here can change a record."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yinling.audit.filters import AuditFilterSet
from yinling.audit.models import AuditRecord
from yinling.audit.tables import AuditTable
from yinling.core.views import ObjectDetailView, ObjectListView


def audit_scope(user: Any, action: str | None) -> QuerySet[AuditRecord]:
    """Records under the user's subtrees (the model's rule, in restrict(), covers records with no org)."""
    return AuditRecord.objects.restrict(user, action)


class AuditListView(ObjectListView):
    model = AuditRecord
    table_class = AuditTable
    filterset_class = AuditFilterSet
    paginate_by = 50
    template_name = "audit/audit_list.html"
    export_columns = [
        ("序号", "seq"),
        ("时间", "at"),
        ("用户", "actor_username"),
        ("代办对象", "on_behalf_of"),
        ("地址", "ip"),
        ("请求", "request_id"),
        ("类别", "action"),
        ("对象类型", "object_type"),
        ("对象ID", "object_id"),
        ("对象", "object_repr"),
        ("变更", "changes_shown"),
        ("附加", "extra"),
        ("哈希", "hash"),
    ]

    @property
    def title(self) -> str:  # type: ignore[override]
        from django.utils.translation import gettext

        return gettext("Audit trail")


class AuditDetailView(ObjectDetailView):
    model = AuditRecord
    template_name = "audit/audit_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["same_request"] = (
            self.scoped("view").filter(request_id=self.object.request_id).exclude(pk=self.object.pk).order_by("id")
        )
        ctx["can_change"] = ctx["can_delete"] = False
        return ctx

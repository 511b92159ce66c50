import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from yinling.audit.models import AuditRecord


class AuditTable(tables.Table):
    at = tables.DateTimeColumn(
        verbose_name=_("time"), format="Y-m-d H:i:s", linkify=("audit:detail", {"pk": tables.A("pk")})
    )
    actor_username = tables.Column(verbose_name=_("user"))
    action = tables.Column(verbose_name=_("kind"))
    object_type = tables.Column(verbose_name=_("object type"))
    object_repr = tables.Column(verbose_name=_("object"))
    ip = tables.Column(verbose_name=_("address"))
    request_id = tables.Column(
        verbose_name=_("request"), linkify=lambda record: f"/audit/?request_id={record.request_id}"
    )

    class Meta:
        model = AuditRecord
        fields = ("at", "actor_username", "action", "object_type", "object_repr", "ip", "request_id")
        order_by = ("-at",)
        attrs = {"class": "table table-sm table-striped align-middle"}

    def render_object_type(self, value: str) -> str:
        from yinling.audit.display import object_type_label

        return object_type_label(value)

    def render_request_id(self, value: str) -> str:
        return value[:8]

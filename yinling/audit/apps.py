from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _today() -> dict[str, Any]:
    from django.utils import timezone

    return {"since": timezone.localdate().isoformat()}


def _record_export(
    sender: Any, *, object_type: str, object_repr: str, org_path: str, extra: dict[str, Any], **_: Any
) -> None:
    from yinling.audit.models import AuditRecord
    from yinling.audit.services import record

    record(AuditRecord.Action.EXPORT, object_type=object_type, object_repr=object_repr, org_path=org_path, extra=extra)


class AuditConfig(AppConfig):
    name = "yinling.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.core.exports import exported

        exported.connect(_record_export, dispatch_uid="audit.record_export")
        from yinling.core.dashboard import Figure, register_figure
        from yinling.core.navigation import NavItem, register_nav

        register_figure(Figure(_("Audit records today"), "audit:list", _today, order=90))
        register_figure(
            Figure(_("Failed sign-ins today"), "audit:list", lambda: {**_today(), "action": "login_failed"}, order=91)
        )
        register_nav(
            NavItem(
                _("Audit trail"),
                "audit:list",
                perm="audit.view_auditrecord",
                order=90,
                group="audit",
                icon="shield-check",
            )
        )

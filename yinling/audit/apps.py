from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yinling.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.core.dashboard import Figure, register_figure
        from yinling.core.navigation import NavItem, register_nav

        register_figure(Figure(_("Audit records today"), _count_today(None), "audit:list", order=90))
        register_figure(Figure(_("Failed sign-ins today"), _count_today("login_failed"), "audit:list", order=91))
        register_nav(NavItem(_("Audit trail"), "audit:list", perm="audit.view_auditrecord", order=90))


def _count_today(action):  # type: ignore[no-untyped-def]
    def count(user):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        from yinling.audit.models import AuditRecord
        from yinling.core.scoping import has_anywhere

        if not has_anywhere(user, AuditRecord, "view"):
            return None
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        qs = AuditRecord.objects.restrict(user, "view").filter(at__gte=start)
        return (qs.filter(action=action) if action else qs).count()

    return count

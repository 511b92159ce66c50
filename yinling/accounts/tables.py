import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from yinling.accounts.models import User


class UserTable(tables.Table):
    username = tables.Column(linkify=("accounts:user_detail", {"pk": tables.A("pk")}), verbose_name=_("username"))
    full_name = tables.Column(verbose_name=_("full name"))
    org = tables.Column(verbose_name=_("home org"), order_by=("org__path",))
    roles = tables.Column(verbose_name=_("roles"), empty_values=(), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("active"))
    last_login = tables.DateTimeColumn(verbose_name=_("last sign-in"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("username", "full_name", "org", "roles", "is_active", "last_login")
        attrs = {"class": "table table-striped table-hover align-middle"}

    def render_roles(self, record: User) -> str:
        return "、".join(f"{a.get_role_display()}@{a.org.code}" for a in record.assignments.all()) or "—"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yinling.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts.demo import seed_accounts
        from yinling.core.demo import Seeder, register_seeder

        register_seeder(Seeder("accounts", seed_accounts, order=20))
        from yinling.accounts import signals  # noqa: F401
        from yinling.accounts.models import RoleAssignment, User
        from yinling.audit.registry import register
        from yinling.core.dashboard import Figure, register_figure
        from yinling.core.navigation import NavItem, register_nav

        register(User)
        register(RoleAssignment)
        register_figure(Figure(_("Active staff accounts"), "accounts:user_list", {"is_active": "true"}, order=70))
        register_nav(
            NavItem(
                _("Staff"), "accounts:user_list", perm="accounts.view_user", order=70, group="org", icon="person-badge"
            )
        )
        from yinling.core.related import RelatedList, register_related

        staff = RelatedList(
            _("Staff accounts"), "accounts:user_list", lambda org: {"under": org.code, "is_active": "true"}, order=30
        )
        register_related("orgs.org", staff)

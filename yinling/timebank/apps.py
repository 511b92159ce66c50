from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "yinling.timebank"
    label = "timebank"
    verbose_name = _("Time bank")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts import roles

        staff = (
            roles.crud("timebank.account", "view", "grant", "export")
            | roles.crud("timebank.servicerequest", "view", "add", "change", "export")
            | roles.crud("timebank.rule", "view")
        )
        roles.grant(
            [roles.BUREAU_ADMIN],
            staff | roles.crud("timebank.account", "issue") | roles.crud("timebank.rule", "add", "change"),
        )
        roles.grant([roles.CLERK], staff)
        roles.grant(
            [roles.LEADER], roles.crud("timebank.account", "view") | roles.crud("timebank.servicerequest", "view")
        )

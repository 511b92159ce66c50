from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "yinling.timebank"
    label = "timebank"
    verbose_name = _("Time bank")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts import roles
        from yinling.registry.signals import retiree_moved

        retiree_moved.connect(_follow_member, dispatch_uid="timebank-follow-member")

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


def _follow_member(sender, retiree, from_org, to_org, **kwargs):  # type: ignore[no-untyped-def]
    """A member who moves keeps the account and its hours; the new org's staff now serve it."""
    from yinling.timebank.models import Account

    Account.objects.filter(kind="member", retiree=retiree).update(org=to_org)

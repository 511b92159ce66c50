from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "yinling.timebank"
    label = "timebank"
    verbose_name = _("Time bank")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts import roles
        from yinling.core.dashboard import Figure, register_figure
        from yinling.core.demo import Seeder, register_seeder
        from yinling.core.navigation import NavItem, register_nav
        from yinling.registry.signals import retiree_moved
        from yinling.timebank.demo import seed_timebank
        from yinling.timebank.panels import register_panels

        retiree_moved.connect(_follow_member, dispatch_uid="timebank-follow-member")
        from yinling.timebank import report_jobs

        report_jobs.register()  # the monthly report's spreadsheet as a background job
        from yinling.timebank import home_tiles

        home_tiles.register()  # its tile and cards on a retiree's home

        staff = (
            # add: enrol members on their behalf; change: the provider flag.
            roles.crud("timebank.account", "view", "add", "change", "grant", "export")
            | roles.crud("timebank.servicerequest", "view", "add", "change", "export")
            | roles.crud("timebank.offer", "view", "add", "change")
            | roles.crud("timebank.rule", "view")
        )
        roles.grant(
            [roles.BUREAU_ADMIN],
            staff
            # issue: put hours into a pool; reverse: post a compensating transfer.
            | roles.crud("timebank.account", "issue", "reverse")
            | roles.crud("timebank.rule", "add", "change"),
        )
        roles.grant([roles.CLERK], staff)
        roles.grant(
            [roles.LEADER],
            roles.crud("timebank.account", "view")
            | roles.crud("timebank.servicerequest", "view")
            | roles.crud("timebank.offer", "view"),
        )

        register_nav(
            NavItem(
                _("Time bank"), "timebank:home", order=40, check=_sees_timebank, group="timebank", icon="clock-history"
            )
        )
        from yinling.core.related import RelatedList, RelatedSummary, register_related
        from yinling.timebank.related import account_summary

        members = RelatedList(_("Time bank members"), "timebank:members", lambda org: {"org": org.code}, order=20)
        register_related("orgs.org", members)
        account = RelatedSummary(_("Time bank account"), "timebank.account", account_summary, order=20)
        register_related("registry.retiree", account)  # on the record: the balance, linked to the account
        register_figure(Figure(_("Time bank members"), "timebank:members", order=40))
        register_figure(Figure(_("Needs awaiting confirmation"), "timebank:requests", {"status": "reported"}, order=41))
        register_seeder(Seeder("timebank", seed_timebank, order=40))
        register_panels()


def _sees_timebank(user) -> bool:  # type: ignore[no-untyped-def]
    from yinling.core.scoping import has_anywhere
    from yinling.timebank.models import Account

    return getattr(user, "kind", "") == "retiree" or has_anywhere(user, Account, "view")


def _follow_member(sender, retiree, from_org, to_org, by=None, **kwargs):  # type: ignore[no-untyped-def]
    """A member who moves keeps the account and its hours; the new org's staff now serve it."""
    from yinling.timebank import services

    services.do_move_member_account(by=by, retiree=retiree, to_org=to_org)

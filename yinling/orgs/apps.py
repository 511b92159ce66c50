from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yinling.orgs"
    label = "orgs"
    verbose_name = _("Org tree")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.core.demo import Seeder, register_seeder
        from yinling.orgs.demo import seed_org_tree

        register_seeder(Seeder("orgs", seed_org_tree, order=10))
        from yinling.audit.registry import register
        from yinling.core.dashboard import Figure, register_figure
        from yinling.core.navigation import NavItem, register_nav
        from yinling.orgs.models import Org

        register(Org)
        bureaus = [Org.Kind.PROVINCE_BUREAU, Org.Kind.CITY_BUREAU, Org.Kind.COUNTY_BUREAU]
        register_figure(Figure(_("Bureaus in my scope"), "orgs:list", {"kind": bureaus}, order=60))
        units = [Org.Kind.UNIT, Org.Kind.STATION]
        register_figure(Figure(_("Units and stations"), "orgs:list", {"kind": units}, order=61))
        register_nav(NavItem(_("Org tree"), "orgs:list", perm="orgs.view_org", order=80, group="org", icon="diagram-3"))
        from yinling.core.quicksearch import register_provider
        from yinling.orgs.quicksearch import PROVIDER

        register_provider(PROVIDER)

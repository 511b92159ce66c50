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
        register_figure(
            Figure(
                _("Bureaus in my scope"),
                _count_orgs(["province_bureau", "city_bureau", "county_bureau"]),
                "orgs:list",
                order=60,
            )
        )
        register_figure(Figure(_("Units and stations"), _count_orgs(["unit", "station"]), "orgs:list", order=61))
        register_nav(NavItem(_("Org tree"), "orgs:list", perm="orgs.view_org", order=80))


def _count_orgs(kinds: list[str]):  # type: ignore[no-untyped-def]
    def count(user):  # type: ignore[no-untyped-def]
        from yinling.orgs.models import Org

        qs = Org.objects.restrict(user, "view")
        return qs.filter(kind__in=kinds).count() if qs.exists() else None

    return count

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampusConfig(AppConfig):
    name = "yinling.campus"
    label = "campus"
    verbose_name = _("Senior university")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each part registers its own grants, navigation, panels, tiles and seeders: the catalogue and
        # the registrars' desk, the retiree's pages (finder, coverage), teaching, and the demo.
        from yinling.campus import setup_catalogue, setup_demo, setup_member, setup_teaching

        setup_catalogue.register()
        setup_member.register()
        setup_teaching.register()
        setup_demo.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yinling.cases"
    label = "cases"
    verbose_name = _("Online services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Grants, navigation, periodic sweep, home tile, cockpit panels and the demo seeder.
        from yinling.cases import setup

        setup.register()

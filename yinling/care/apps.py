from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "yinling.care"
    label = "care"
    verbose_name = _("Care")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.care import setup

        setup.register()

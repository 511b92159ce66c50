from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "yinling.rounds"
    label = "rounds"
    verbose_name = _("平安报 status rounds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.rounds import setup

        setup.register()

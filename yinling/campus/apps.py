from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampusConfig(AppConfig):
    name = "yinling.campus"
    label = "campus"
    verbose_name = _("Senior university")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Two halves, each with its own registrations (grants, navigation, panels, tiles, seeders):
        # the catalogue and enrolment, and teaching (attendance, lessons, certificates, reports).
        from yinling.campus import setup_catalogue, setup_teaching

        setup_catalogue.register()
        setup_teaching.register()

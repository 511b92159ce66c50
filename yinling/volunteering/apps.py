from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "yinling.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Two halves, each with its own registrations (roles, navigation, panels, tiles, seeders):
        # people (volunteers, teams, pairings, certificates, stories, nominations, the board) and
        # activities (sign-up, check-in codes, hours, flags and bars).
        from yinling.volunteering import setup_activities, setup_people

        setup_people.register()
        setup_activities.register()

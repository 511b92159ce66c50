from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "yinling.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yinling.accounts.panels import ProfilePanel, register_panel
        from yinling.notifications.views import preferences_panel

        # The channel choices sit on the account's own page (accounts cannot import this app: a panel hook).
        register_panel(ProfilePanel("notifications/_preferences_panel.html", preferences_panel, order=10))
        from yinling.notifications import home_tiles

        home_tiles.register()

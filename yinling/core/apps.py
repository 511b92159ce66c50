from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yinling.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import register_converter

        from yinling.core.converters import IdConverter

        register_converter(IdConverter, "id")

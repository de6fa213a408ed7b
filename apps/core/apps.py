from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self) -> None:
        from django.urls import register_converter

        from apps.core.api.converters import VersionConverter
        from apps.core.logging import configure_structlog

        configure_structlog()
        # Before any URL conf is imported: `<version:...>` paths use it.
        register_converter(VersionConverter, "version")

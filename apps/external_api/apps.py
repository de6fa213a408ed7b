from django.apps import AppConfig


class ExternalApiConfig(AppConfig):
    name = "apps.external_api"
    label = "external_api"
    verbose_name = "External API"

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "apps.credentials"
    label = "credentials"

    def ready(self) -> None:
        from apps.credentials import checks  # noqa: F401  (registers the encryption-key and OAuth checks)

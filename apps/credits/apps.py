from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "apps.credits"
    label = "credits"

    def ready(self) -> None:
        from apps.credits import checks  # noqa: F401  (registers the BLOCK_COSTS system check)

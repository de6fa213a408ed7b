from django.apps import AppConfig


class ExecutionsConfig(AppConfig):
    name = "apps.executions"
    label = "executions"

    def ready(self) -> None:
        from apps.executions.metrics import register_collector

        register_collector()

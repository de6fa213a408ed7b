from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "apps.schedules"
    label = "schedules"

    def ready(self) -> None:
        from apps.schedules.late_runs import register_collector

        register_collector()

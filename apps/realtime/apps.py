from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "apps.realtime"
    label = "realtime"

    def ready(self) -> None:
        from apps.realtime.transport import plain_autobahn_debug_lines

        plain_autobahn_debug_lines()

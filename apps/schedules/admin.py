from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.schedules.models import Schedule
from apps.schedules.services import schedule_set_enabled


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    """Schedules change through their owners' API; staff read them and may pause or resume them."""

    list_display = ["name", "user", "graph_id", "graph_version", "cron", "timezone", "enabled", "last_tick_at"]
    list_filter = ["periodic_task__enabled", "timezone"]
    search_fields = ["id", "name", "graph_id", "user__email"]
    list_select_related = ["user", "periodic_task"]
    readonly_fields = [
        "id",
        "user",
        "name",
        "graph_id",
        "graph_version",
        "cron",
        "timezone",
        "inputs",
        "credentials_inputs",
        "periodic_task",
        "created_at",
        "last_tick_at",
        "last_execution",
        "last_error",
    ]
    actions = ["pause", "resume"]

    @admin.display(boolean=True, description="Enabled")
    def enabled(self, schedule: Schedule) -> bool:
        return schedule.periodic_task.enabled

    def _set_enabled(self, request: HttpRequest, queryset: QuerySet[Schedule], *, enabled: bool) -> None:
        for schedule in queryset.select_related("periodic_task"):
            schedule_set_enabled(schedule=schedule, enabled=enabled)
        verb = "Resumed" if enabled else "Paused"
        self.message_user(request, f"{verb} {queryset.count()} schedule(s).", messages.SUCCESS)

    @admin.action(description="Pause the selected schedules")
    def pause(self, request: HttpRequest, queryset: QuerySet[Schedule]) -> None:
        self._set_enabled(request, queryset, enabled=False)

    @admin.action(description="Resume the selected schedules")
    def resume(self, request: HttpRequest, queryset: QuerySet[Schedule]) -> None:
        self._set_enabled(request, queryset, enabled=True)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.executions.models import FINAL_STATUSES, GraphExecution, NodeExecution
from apps.executions.services import execution_stop


class ReadOnlyAdmin(admin.ModelAdmin):
    """Runs change only through the engine: staff read them and may stop them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NodeExecutionInline(admin.TabularInline):
    model = NodeExecution
    extra = 0
    can_delete = False
    fields = readonly_fields = ("id", "node", "status", "attempt", "queued_at", "started_at", "ended_at", "stats")
    ordering = ["added_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GraphExecution)
class GraphExecutionAdmin(ReadOnlyAdmin):
    list_display = ["id", "graph", "user", "status", "node_count", "cost", "created_at", "ended_at"]
    list_filter = ["status", ("user", admin.RelatedOnlyFieldListFilter), "is_deleted"]
    search_fields = ["id", "graph_public_id", "user__email"]
    list_select_related = ["graph", "user"]
    date_hierarchy = "created_at"
    inlines = [NodeExecutionInline]
    actions = ["stop"]

    @admin.action(description="Stop the selected runs")
    def stop(self, request: HttpRequest, queryset: QuerySet[GraphExecution]) -> None:
        stopped = 0
        for run in queryset.exclude(status__in=FINAL_STATUSES):
            execution_stop(run=run, wait_seconds=0)
            stopped += 1
        self.message_user(request, f"Stop requested for {stopped} run(s).", messages.SUCCESS)

    def has_stop_permission(self, request: HttpRequest) -> bool:
        return request.user.is_staff


@admin.register(NodeExecution)
class NodeExecutionAdmin(ReadOnlyAdmin):
    list_display = ["id", "graph_execution", "node", "status", "attempt", "queued_at", "ended_at"]
    list_filter = ["status"]
    search_fields = ["id", "graph_execution__id"]
    list_select_related = ["node"]

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.graphs.models import Graph, Link, Node


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NodeInline(ReadOnlyInline):
    model = Node
    fields = readonly_fields = ("id", "block_id", "input_default", "metadata")


class LinkInline(ReadOnlyInline):
    model = Link
    fk_name = "graph"
    fields = readonly_fields = ("source", "source_name", "sink", "sink_name", "is_static")


@admin.register(Graph)
class GraphAdmin(admin.ModelAdmin):
    """Graph versions are immutable: readable here, changed only through the API by their owner."""

    list_display = ["name", "graph_id", "version", "is_active", "user", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "graph_id", "user__email"]
    list_select_related = ["user"]
    inlines = [NodeInline, LinkInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Graph._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

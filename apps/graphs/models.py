"""Versioned graphs of block nodes joined by links.

A graph's public `graph_id` is shared by all its versions; each version is one
row (the surrogate key is private). Versions are immutable once written: an
update writes a new version with fresh node and link ids.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Graph(models.Model):
    graph_id = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graphs")
    name = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    instructions = models.TextField(blank=True, default="")
    recommended_schedule_cron = models.CharField(max_length=255, blank=True, default="")
    is_active = models.BooleanField(default=True)
    forked_from_id = models.UUIDField(blank=True, null=True)
    forked_from_version = models.PositiveIntegerField(blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["graph_id", "version"], name="graphs_graph_version_unique"),
            models.UniqueConstraint(
                fields=["graph_id"], condition=Q(is_active=True), name="graphs_graph_one_active_version"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="graphs_graph_version_positive"),
        ]
        indexes = [models.Index(fields=["user", "is_active", "graph_id", "version"])]

    def __str__(self) -> str:
        return f"{self.name or self.graph_id} v{self.version}"


class Node(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="nodes")
    block_id = models.CharField(max_length=64)
    input_default = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Trigger nodes of an active version: the webhook whose deliveries start runs. RESTRICT keeps a
    # webhook from going while a node still points at it (unless the node goes with it).
    webhook = models.ForeignKey(
        "webhooks.Webhook", on_delete=models.RESTRICT, null=True, blank=True, related_name="triggered_nodes"
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"node {self.id} ({self.block_id})"


class Link(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="output_links")
    sink = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="input_links")
    source_name = models.CharField(max_length=255)
    sink_name = models.CharField(max_length=255)
    # A static link's value is kept and reused by every later execution of the sink.
    is_static = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.source_id}.{self.source_name} -> {self.sink_id}.{self.sink_name}"

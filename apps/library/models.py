"""A user's library of agents, and presets: a graph version with saved inputs and credentials.

Both name a graph by its public id and version (a graph is one row per version,
so neither is a foreign key), and both are soft-deleted: runs keep pointing at
the preset they came from.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class LibraryAgent(models.Model):
    """One entry per graph in a user's library; it follows the graph's active version while `auto_update_version`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_agents")
    graph_id = models.UUIDField()
    graph_version = models.PositiveIntegerField()
    image_url = models.URLField(max_length=2048, blank=True, default="")
    is_created_by_user = models.BooleanField(default=True)
    auto_update_version = models.BooleanField(default=True)
    is_favorite = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "graph_id"], name="library_agent_one_per_graph"),
        ]
        indexes = [models.Index(fields=["user", "is_deleted", "updated_at"])]

    def __str__(self) -> str:
        return f"library agent {self.graph_id} v{self.graph_version}"


class AgentPreset(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_presets")
    graph_id = models.UUIDField()
    graph_version = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)
    inputs = models.JSONField(default=dict, blank=True)
    # References to the user's credentials (never secrets), as a run's `credentials_inputs`.
    credentials_inputs = models.JSONField(default=dict, blank=True)
    # The webhook that triggers this preset, for presets set up as triggers; none otherwise.
    webhook_id = models.UUIDField(blank=True, null=True)
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "is_deleted", "graph_id"]),
            models.Index(fields=["webhook_id"], condition=Q(webhook_id__isnull=False), name="library_preset_webhook"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.graph_id} v{self.graph_version})"

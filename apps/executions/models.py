"""Runs of graphs (graph executions), runs of nodes (node executions) and the pin values they carry.

The database is the source of truth for the engine: the broker only says "look
at node execution X". Statuses only move along the transition table in
`status.py`, through guarded (conditional) updates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExecutionStatus(models.TextChoices):
    INCOMPLETE = "INCOMPLETE"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"
    FAILED = "FAILED"


ACTIVE_STATUSES = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING)
FINAL_STATUSES = (ExecutionStatus.COMPLETED, ExecutionStatus.TERMINATED, ExecutionStatus.FAILED)


def _status_is_valid(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(status__in=ExecutionStatus.values), name=name)


class GraphExecution(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey("graphs.Graph", on_delete=models.CASCADE, related_name="executions")
    # The graph's public id and version, copied so lists and events need no join.
    graph_public_id = models.UUIDField(db_index=True)
    graph_version = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graph_executions")
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.INCOMPLETE)
    inputs = models.JSONField(default=dict, blank=True)
    credential_inputs = models.JSONField(default=dict, blank=True)
    nodes_input_masks = models.JSONField(default=dict, blank=True)
    preset_id = models.UUIDField(blank=True, null=True)
    parent_execution = models.ForeignKey(
        "self", on_delete=models.SET_NULL, blank=True, null=True, related_name="child_executions"
    )
    # The Agent node execution of the parent run that waits for this (child) run.
    parent_node_execution = models.OneToOneField(
        "NodeExecution", on_delete=models.SET_NULL, blank=True, null=True, related_name="child_execution"
    )
    # Counters behind `stats`, incremented in SQL so concurrent node completions never lose one.
    node_count = models.PositiveIntegerField(default=0)
    node_error_count = models.PositiveIntegerField(default=0)
    cost = models.BigIntegerField(default=0)
    nodes_walltime = models.FloatField(default=0.0)
    nodes_cputime = models.FloatField(default=0.0)
    error = models.TextField(blank=True, default="")
    stop_requested_at = models.DateTimeField(blank=True, null=True)
    # Set when the engine stops the run itself (the user ran out of credits): it ends FAILED.
    halted_at = models.DateTimeField(blank=True, null=True)
    # How many sub-graph levels this run is below a run the user started (0 for that one).
    depth = models.PositiveSmallIntegerField(default=0)
    # NULL means "no key": the unique constraint below only compares runs that have one.
    idempotency_key = models.CharField(max_length=255, blank=True, null=True)  # noqa: DJ001
    is_deleted = models.BooleanField(default=False)
    # A shared run is readable by anyone holding its token (`GET /api/public/shared/{token}`).
    is_shared = models.BooleanField(default=False)
    share_token = models.UUIDField(blank=True, null=True, unique=True)
    shared_at = models.DateTimeField(blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(blank=True, null=True)
    ended_at = models.DateTimeField(blank=True, null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_shared=False, share_token__isnull=True, shared_at__isnull=True)
                | Q(is_shared=True, share_token__isnull=False, shared_at__isnull=False),
                name="executions_run_shared_with_token",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="executions_run_idempotency_key_unique",
            ),
            _status_is_valid("executions_run_status_valid"),
        ]
        indexes = [
            models.Index(fields=["user", "is_deleted", "created_at"]),
            models.Index(fields=["graph_public_id", "created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"run {self.id} ({self.status})"

    @property
    def is_stopping(self) -> bool:
        """No new work may start: the user stopped the run, or the engine halted it."""
        return self.stop_requested_at is not None or self.halted_at is not None


class NodeExecution(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph_execution = models.ForeignKey(GraphExecution, on_delete=models.CASCADE, related_name="node_executions")
    node = models.ForeignKey("graphs.Node", on_delete=models.CASCADE, related_name="executions")
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.INCOMPLETE)
    # The validated, merged input, frozen when the execution is queued.
    input_data = models.JSONField(blank=True, null=True)
    stats = models.JSONField(default=dict, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    # While RUNNING, the worker renews this; past it, the sweep may hand the execution to another worker.
    lease_expires_at = models.DateTimeField(blank=True, null=True)
    # How many times the sweep found the lease expired (its worker died or hung); past
    # ENGINE_MAX_LEASE_EXPIRIES the execution fails instead of going to yet another worker.
    lease_expiries = models.PositiveSmallIntegerField(default=0)
    # Orders a node's executions first-in first-out; set explicitly, strictly increasing within a batch.
    added_at = models.DateTimeField(default=timezone.now)
    # Executions of one node run concurrently but hand their outputs on in `added_at` order:
    # `handed_on` counts this execution's outputs (by position) already handed to the next
    # nodes, and `drained` says it has ended and handed on every output, so the next one's turn has come.
    handed_on = models.PositiveIntegerField(default=0)
    drained = models.BooleanField(default=False)
    queued_at = models.DateTimeField(blank=True, null=True)
    started_at = models.DateTimeField(blank=True, null=True)
    ended_at = models.DateTimeField(blank=True, null=True)

    class Meta:
        constraints = [_status_is_valid("executions_node_execution_status_valid")]
        indexes = [
            models.Index(fields=["graph_execution", "node", "status"]),
            models.Index(fields=["graph_execution", "status"]),
            models.Index(fields=["status", "queued_at"]),
            models.Index(
                fields=["graph_execution", "node", "added_at"],
                condition=Q(drained=False),
                name="executions_hand_on_order",
            ),
        ]

    def __str__(self) -> str:
        return f"node execution {self.id} ({self.status})"


class NodeExecutionInput(models.Model):
    """One pin value an execution consumed: at most one per pin."""

    node_execution = models.ForeignKey(NodeExecution, on_delete=models.CASCADE, related_name="inputs")
    name = models.CharField(max_length=255)
    data = models.JSONField(blank=True, null=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node_execution", "name"], name="executions_input_one_per_pin"),
        ]

    def __str__(self) -> str:
        return f"input {self.name} of {self.node_execution_id}"


class NodeExecutionOutput(models.Model):
    """One value an execution produced; a pin may produce many, kept in order."""

    node_execution = models.ForeignKey(NodeExecution, on_delete=models.CASCADE, related_name="outputs")
    name = models.CharField(max_length=255)
    data = models.JSONField(blank=True, null=True)
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["node_execution", "position"], name="executions_output_position_unique"),
        ]

    def __str__(self) -> str:
        return f"output {self.name} of {self.node_execution_id}"

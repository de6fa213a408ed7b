"""Schedules: a graph version run on a cron expression, with stored inputs and credentials references.

Each schedule owns one django-celery-beat `PeriodicTask` (with its own
`CrontabSchedule`, which carries the time zone); the one `beat` process reads
those and sends `fire_schedule`. Deleting the crontab row deletes the periodic
task, which deletes the schedule: that chain is how a schedule is deleted, so no
periodic task is ever left behind to fire for nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django_celery_beat.models import PeriodicTask


class Schedule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=255)
    # The graph's public id: a schedule runs one version, and is deleted with the graph.
    graph_id = models.UUIDField()
    graph_version = models.PositiveIntegerField()
    cron = models.CharField(max_length=255)
    timezone = models.CharField(max_length=64, default="UTC")
    inputs = models.JSONField(default=dict, blank=True)
    # References to the user's credentials (never secrets), as a run's `credentials_inputs`.
    credentials_inputs = models.JSONField(default=dict, blank=True)
    periodic_task = models.OneToOneField(PeriodicTask, on_delete=models.CASCADE, related_name="agent_schedule")
    created_at = models.DateTimeField(auto_now_add=True)
    # The last tick handled, the run it started, or why it could not start one.
    last_tick_at = models.DateTimeField(blank=True, null=True)
    last_execution = models.ForeignKey(
        "executions.GraphExecution", on_delete=models.SET_NULL, blank=True, null=True, related_name="+"
    )
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "graph_id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.cron} {self.timezone})"

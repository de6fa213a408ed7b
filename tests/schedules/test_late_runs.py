from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, GraphExecution
from apps.graphs.models import Graph
from apps.schedules.late_runs import late_runs_report

pytestmark = pytest.mark.django_db


def _run(graph: Graph, *, status: str, age: timedelta) -> GraphExecution:
    run = GraphExecution.objects.create(
        graph=graph, graph_public_id=graph.graph_id, graph_version=graph.version, user=graph.user, status=status
    )
    GraphExecution.objects.filter(pk=run.pk).update(created_at=timezone.now() - age)
    return run


def test_runs_queued_past_the_threshold_are_logged_and_counted_in_metrics(
    auth_client: APIClient, echo: dict[str, Any], caplog: Any
) -> None:
    graph = Graph.objects.get(graph_id=echo["id"])
    late = _run(graph, status=ExecutionStatus.QUEUED, age=timedelta(minutes=6))
    _run(graph, status=ExecutionStatus.QUEUED, age=timedelta(minutes=1))
    _run(graph, status=ExecutionStatus.RUNNING, age=timedelta(minutes=30))

    count = late_runs_report()
    metrics = auth_client.get("/metrics").content.decode()

    assert count == 1
    assert str(late.pk) in caplog.text and "late_runs" in caplog.text
    assert "agpt_late_runs 1.0" in metrics

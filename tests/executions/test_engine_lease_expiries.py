"""A node whose lease keeps expiring fails instead of going from worker to worker forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, NodeExecution
from apps.executions.sweep import execution_sweep, lease_expiries_message
from tests.executions.test_engine_control import timer_graph, wait_until_running
from tests.graph_builders import COUNTDOWN_TIMER
from tests.runs import create_graph, execute, node_executions_of, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def _abandoned(run_id: str, *, expiries: int) -> NodeExecution:
    """The run's timer as a worker that died would leave it: RUNNING, its lease past. (The live
    worker's claim is made stale, so it stops and writes nothing more.)"""
    wait_until_running(run_id, COUNTDOWN_TIMER)
    timer = node_executions_of(run_id, COUNTDOWN_TIMER)[0]
    NodeExecution.objects.filter(pk=timer.pk).update(
        attempt=timer.attempt + 1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        lease_expiries=expiries,
    )
    return timer


def test_an_expired_lease_hands_the_node_to_another_worker_and_counts(auth_client: APIClient) -> None:
    run = execute(auth_client, create_graph(auth_client, timer_graph(1)))
    timer = _abandoned(run["id"], expiries=0)

    counts = execution_sweep()

    assert counts["requeued"] >= 1
    assert counts["given_up"] == 0
    timer.refresh_from_db()
    assert timer.lease_expiries == 1
    finished = wait_for_run(run["id"], timeout=20)
    assert finished.status == ExecutionStatus.COMPLETED


def test_a_node_whose_lease_expired_too_often_fails_with_a_clear_message(auth_client: APIClient) -> None:
    limit = settings.ENGINE_MAX_LEASE_EXPIRIES
    run = execute(auth_client, create_graph(auth_client, timer_graph(30)))
    timer = _abandoned(run["id"], expiries=limit - 1)

    counts = execution_sweep()

    assert counts["given_up"] == 1
    timer.refresh_from_db()
    assert timer.status == ExecutionStatus.FAILED
    assert timer.lease_expiries == limit
    assert timer.outputs.get().data == lease_expiries_message(limit)
    assert f"{limit} times" in lease_expiries_message(limit)
    finished = wait_for_run(run["id"], timeout=10)
    assert finished.status == ExecutionStatus.FAILED
    assert lease_expiries_message(limit) in finished.error

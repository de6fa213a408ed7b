"""Firing a tick: one run per tick whatever beat does, and a tick that cannot run is recorded and told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credits.models import CreditTransaction
from apps.executions.models import ExecutionStatus, GraphExecution
from apps.graphs.models import Graph
from apps.schedules.models import Schedule
from apps.schedules.services import schedule_fire
from tests.schedules.conftest import schedule_body

pytestmark = pytest.mark.django_db

TICK = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
Notifications = Callable[..., list[dict[str, Any]]]


def create_schedule(client: APIClient, graph: dict[str, Any], **overrides: Any) -> Schedule:
    response = client.post(f"/api/graphs/{graph['id']}/schedules", schedule_body(**overrides), format="json")
    assert response.status_code == 200, response.json()
    return Schedule.objects.get(pk=response.json()["id"])


@pytest.mark.usefixtures("user_has_credits")
def test_a_tick_starts_a_run_with_the_stored_inputs(auth_client: APIClient, echo: dict[str, Any]) -> None:
    schedule = create_schedule(auth_client, echo, cron="30 9 * * *")

    run = schedule_fire(schedule_id=schedule.id, now=TICK + timedelta(seconds=2))

    assert run is not None
    stored = GraphExecution.objects.get()
    assert stored.pk == run.pk
    assert stored.inputs == {"text": "hello"}
    assert (str(stored.graph_public_id), stored.graph_version) == (echo["id"], echo["version"])
    assert stored.status == ExecutionStatus.QUEUED
    assert stored.idempotency_key == f"schedule:{schedule.id}:2026-05-04T09:30Z"
    schedule.refresh_from_db()
    assert (schedule.last_tick_at, schedule.last_execution_id, schedule.last_error) == (TICK, run.pk, "")


@pytest.mark.usefixtures("user_has_credits")
def test_a_tick_fired_twice_or_late_starts_one_run(auth_client: APIClient, echo: dict[str, Any]) -> None:
    schedule = create_schedule(auth_client, echo, cron="30 9 * * *")

    first = schedule_fire(schedule_id=schedule.id, now=TICK)
    again = schedule_fire(schedule_id=schedule.id, now=TICK + timedelta(seconds=40))
    late = schedule_fire(schedule_id=schedule.id, now=TICK + timedelta(hours=3))
    next_day = schedule_fire(schedule_id=schedule.id, now=TICK + timedelta(days=1))

    assert first is not None and next_day is not None
    assert again == first and late == first
    assert GraphExecution.objects.count() == 2
    assert next_day.idempotency_key == f"schedule:{schedule.id}:2026-05-05T09:30Z"


@pytest.mark.usefixtures("user_has_credits")
def test_the_tick_is_read_in_the_schedules_time_zone(auth_client: APIClient, echo: dict[str, Any]) -> None:
    schedule = create_schedule(auth_client, echo, cron="0 9 * * *", timezone="America/New_York")

    run = schedule_fire(schedule_id=schedule.id, now=datetime(2026, 5, 4, 13, 0, 5, tzinfo=UTC))

    assert run is not None
    assert run.idempotency_key == f"schedule:{schedule.id}:2026-05-04T13:00Z"  # 09:00 EDT


def test_a_tick_without_credits_is_recorded_and_told_to_the_user(
    auth_client: APIClient,
    user: User,
    echo: dict[str, Any],
    notifications: Notifications,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert not CreditTransaction.objects.filter(user=user).exists()
    schedule = create_schedule(auth_client, echo, name="Morning", cron="30 9 * * *")

    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_fire(schedule_id=schedule.id, now=TICK) is None
        schedule_fire(schedule_id=schedule.id, now=TICK + timedelta(seconds=30))

    assert not GraphExecution.objects.exists()
    schedule.refresh_from_db()
    assert schedule.last_tick_at == TICK
    assert schedule.last_execution_id is None
    assert "Insufficient balance" in schedule.last_error
    received = notifications()
    assert len(received) == 1, "a tick fired twice is told once"
    assert received[0]["method"] == "notification"
    assert received[0]["data"]["type"] == "SCHEDULED_RUN_FAILED"
    event = received[0]["data"]["event"]
    assert event["schedule_id"] == str(schedule.id)
    assert event["schedule_name"] == "Morning"
    assert event["scheduled_time"] == TICK.isoformat()
    assert event["error_code"] == "INSUFFICIENT_BALANCE"


@pytest.mark.usefixtures("user_has_credits")
def test_a_tick_missing_a_required_input_is_recorded_with_the_graphs_message(
    auth_client: APIClient,
    echo: dict[str, Any],
    notifications: Notifications,
    django_capture_on_commit_callbacks: Any,
) -> None:
    schedule = create_schedule(auth_client, echo, inputs={}, cron="30 9 * * *")

    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_fire(schedule_id=schedule.id, now=TICK) is None

    schedule.refresh_from_db()
    assert schedule.last_error.startswith("Graph validation failed")
    assert notifications()[0]["data"]["event"]["error_code"] == "GRAPH_VALIDATION_FAILED"


@pytest.mark.usefixtures("user_has_credits")
def test_a_tick_whose_graph_version_is_gone_is_recorded(auth_client: APIClient, echo: dict[str, Any]) -> None:
    schedule = create_schedule(auth_client, echo, cron="30 9 * * *")
    Graph.objects.filter(graph_id=echo["id"]).delete()  # behind the service's back, as a race would

    assert schedule_fire(schedule_id=schedule.id, now=TICK) is None

    schedule.refresh_from_db()
    assert schedule.last_error == f"Graph #{echo['id']} v{echo['version']} not found."


def test_a_tick_of_a_schedule_whose_owner_is_gone_removes_its_beat_entry(
    auth_client: APIClient, user: User, echo: dict[str, Any]
) -> None:
    schedule = create_schedule(auth_client, echo)
    task_name = schedule.periodic_task.name
    user.delete()

    assert schedule_fire(schedule_id=schedule.id) is None

    assert not PeriodicTask.objects.filter(name=task_name).exists()

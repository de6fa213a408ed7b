"""Schedules fired for real: django-celery-beat's scheduler in a `celery beat` process, and a worker.

One every-minute schedule, so the test takes about a minute: beat must send the
tick, the worker must start its run, and a beat killed and restarted in the same
minute (with the tick sent once more, as a lost save or a duplicate would) must
not start a second run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, GraphExecution
from apps.schedules.models import Schedule
from apps.schedules.tasks import fire_schedule
from tests.beat import Beat
from tests.processes import wait_until
from tests.runs import wait_for_run
from tests.schedules.conftest import schedule_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


@pytest.fixture
def beat(tmp_path: Path) -> Iterator[Beat]:
    process = Beat(tmp_path / "beat.log")
    yield process
    process.stop()


@pytest.mark.usefixtures("user_has_credits")
def test_an_every_minute_schedule_fires_through_beat_once_per_tick_even_when_beat_restarts(
    auth_client: APIClient, echo: dict[str, Any], beat: Beat
) -> None:
    created = auth_client.post(f"/api/graphs/{echo['id']}/schedules", schedule_body(), format="json").json()
    schedule = Schedule.objects.get(pk=created["id"])
    entry = schedule.periodic_task.name
    beat.start()

    wait_until(lambda: GraphExecution.objects.exists(), timeout=90, what="the scheduled run")
    first = GraphExecution.objects.get()
    tick = first.created_at.replace(second=0, microsecond=0)
    assert first.idempotency_key == f"schedule:{schedule.id}:{tick:%Y-%m-%dT%H:%MZ}"
    assert beat.sent(entry) == 1

    # Beat dies before it could save that it sent the tick and comes back (it then sends
    # the tick again), and the tick is delivered once more, as a duplicate message would be.
    beat.kill()
    beat.start()
    fire_schedule.apply(args=[str(schedule.id)])
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: beat.sent(entry) >= 2, timeout=10, what="the restarted beat to send the tick again")
    time.sleep(3)  # time for the worker to handle what the restarted beat sent
    assert timezone.now() < tick + timedelta(minutes=1), "the repeats must fall in the tick's minute to mean anything"

    assert GraphExecution.objects.filter(idempotency_key=first.idempotency_key).count() == 1
    assert GraphExecution.objects.filter(created_at__lt=tick + timedelta(minutes=1)).count() == 1
    finished = wait_for_run(str(first.id), timeout=30)
    assert finished.status == ExecutionStatus.COMPLETED
    assert finished.inputs == {"text": "hello"}
    schedule.refresh_from_db()
    assert schedule.last_execution_id == first.id
    assert "Traceback" not in beat.log()

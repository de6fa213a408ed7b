"""Writes on schedules: create (with its beat entry), delete, pause, and firing a tick."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps.accounts.models import TIMEZONE_NOT_SET, User
from apps.core.exceptions import ApplicationError
from apps.core.jsonsafe import json_safe
from apps.credentials.runs import run_credentials_prepare
from apps.executions.models import GraphExecution
from apps.executions.services import execution_start
from apps.graphs.models import Graph
from apps.schedules.cron import Cron
from apps.schedules.events import notify_schedule_failed
from apps.schedules.exceptions import ScheduleNotFoundError
from apps.schedules.models import Schedule

logger = structlog.get_logger(__name__)

FIRE_TASK = "apps.schedules.tasks.fire_schedule"


def periodic_task_name(schedule_id: uuid.UUID | str) -> str:
    return f"agent-schedule:{schedule_id}"


def schedule_timezone(*, user: User, requested: str | None) -> str:
    """The request's zone, else the user's saved one, else UTC (upstream's order)."""
    if requested:
        return requested
    if user.timezone and user.timezone != TIMEZONE_NOT_SET:
        return user.timezone
    return "UTC"


def schedule_create(
    *,
    user: User,
    graph: Graph,
    name: str,
    cron: str,
    timezone_name: str | None,
    inputs: dict[str, Any],
    credentials_inputs: dict[str, Any],
) -> Schedule:
    """A schedule and its beat entry, written together; refused if the graph could not run with these credentials."""
    zone = schedule_timezone(user=user, requested=timezone_name)
    parsed = Cron.parse(cron, zone)
    run_credentials_prepare(user_id=user.pk, graph=graph, credentials_inputs=credentials_inputs, nodes_input_masks={})
    schedule_id = uuid.uuid4()
    with transaction.atomic():
        crontab = CrontabSchedule.objects.create(
            minute=parsed.minute,
            hour=parsed.hour,
            day_of_month=parsed.day_of_month,
            month_of_year=parsed.month_of_year,
            day_of_week=parsed.day_of_week,
            timezone=parsed.zone,
        )
        task = PeriodicTask.objects.create(
            name=periodic_task_name(schedule_id),
            task=FIRE_TASK,
            crontab=crontab,
            args=json.dumps([str(schedule_id)]),
            description=f"{name} ({graph.name or graph.graph_id} v{graph.version})",
        )
        return Schedule.objects.create(
            id=schedule_id,
            user=user,
            name=name,
            graph_id=graph.graph_id,
            graph_version=graph.version,
            cron=" ".join(cron.split()),
            timezone=zone,
            inputs=json_safe(inputs),
            credentials_inputs=json_safe(credentials_inputs),
            periodic_task=task,
        )


def _delete_beat_entries(periodic_task_ids: list[int]) -> None:
    # Crontab row -> periodic task -> schedule: one delete removes all three, and
    # django-celery-beat's delete signals tell beat to reload.
    CrontabSchedule.objects.filter(periodictask__id__in=periodic_task_ids).delete()
    PeriodicTask.objects.filter(id__in=periodic_task_ids).delete()


@transaction.atomic
def schedule_delete(*, user: User, schedule_id: uuid.UUID) -> None:
    task_id = Schedule.objects.filter(user=user, pk=schedule_id).values_list("periodic_task_id", flat=True).first()
    if task_id is None:
        raise ScheduleNotFoundError(schedule_id)
    _delete_beat_entries([task_id])


def schedules_delete_for_graph(*, user: User, graph_id: uuid.UUID) -> None:
    """Called when a graph is deleted: its schedules go with it."""
    task_ids = list(Schedule.objects.filter(user=user, graph_id=graph_id).values_list("periodic_task_id", flat=True))
    if task_ids:
        _delete_beat_entries(task_ids)


def schedule_set_enabled(*, schedule: Schedule, enabled: bool) -> None:
    """Pauses or resumes a schedule (staff, in the admin); saving the task tells beat."""
    task = schedule.periodic_task
    if task.enabled != enabled:
        task.enabled = enabled
        task.save()


def _tick_key(schedule: Schedule, tick: datetime) -> str:
    return f"schedule:{schedule.id}:{tick.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def schedule_fire(*, schedule_id: uuid.UUID | str, now: datetime | None = None) -> GraphExecution | None:
    """Starts the run of the tick that `now` belongs to, once.

    Beat may send a tick twice (restarted before it saved the tick, or two
    messages racing) or late; the tick, not the message, is the run's
    idempotency key, so every copy after the first returns the same run. A
    tick that cannot start a run is recorded on the schedule and told to the
    user; nothing is raised.
    """
    now = now or timezone.now()
    schedule = Schedule.objects.select_related("user").filter(pk=schedule_id).first()
    if schedule is None:
        # Its owner was deleted (the cascade stops at the schedule): nothing should fire any more.
        PeriodicTask.objects.filter(name=periodic_task_name(schedule_id)).delete()
        return None
    tick = Cron.parse(schedule.cron, schedule.timezone).previous_at_or_before(now)
    if tick is None:
        return None
    graph = Graph.objects.filter(
        user_id=schedule.user_id, graph_id=schedule.graph_id, version=schedule.graph_version
    ).first()
    try:
        if graph is None:
            raise ApplicationError(f"Graph #{schedule.graph_id} v{schedule.graph_version} not found.")
        run = execution_start(
            user=schedule.user,
            graph=graph,
            inputs=schedule.inputs,
            credentials_inputs=schedule.credentials_inputs,
            idempotency_key=_tick_key(schedule, tick),
        )
    except ApplicationError as error:
        _record_failure(schedule, tick, error)
        return None
    Schedule.objects.filter(pk=schedule.pk).update(last_tick_at=tick, last_execution=run, last_error="")
    return run


def _record_failure(schedule: Schedule, tick: datetime, error: ApplicationError) -> None:
    already_told = Schedule.objects.filter(pk=schedule.pk, last_tick_at=tick).exclude(last_error="").exists()
    Schedule.objects.filter(pk=schedule.pk).update(last_tick_at=tick, last_execution=None, last_error=error.message)
    logger.warning(
        "schedule_tick_failed",
        schedule_id=str(schedule.id),
        tick=tick.isoformat(),
        code=error.code,
        error=error.message,
    )
    if not already_told:
        notify_schedule_failed(schedule=schedule, tick=tick, error=error)

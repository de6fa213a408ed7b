"""Telling a user that a scheduled tick started nothing, on the same `notification` path as credit notices."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from apps.core.events import publish, user_channel
from apps.core.exceptions import ApplicationError
from apps.credits.events import notification_message
from apps.schedules.models import Schedule

SCHEDULE_FAILED = "SCHEDULED_RUN_FAILED"


def notify_schedule_failed(*, schedule: Schedule, tick: datetime, error: ApplicationError) -> None:
    message = notification_message(
        type=SCHEDULE_FAILED,
        event={
            "schedule_id": str(schedule.id),
            "schedule_name": schedule.name,
            "graph_id": str(schedule.graph_id),
            "graph_version": schedule.graph_version,
            "scheduled_time": tick.isoformat(),
            "error_code": error.code,
            "error": error.message,
        },
    )
    transaction.on_commit(lambda: publish(user_channel(schedule.user_id), message))

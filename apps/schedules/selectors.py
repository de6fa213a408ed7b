"""Reads on schedules. Someone else's schedule is indistinguishable from a missing one."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.schedules.models import Schedule


def schedules_for_user(*, user: User, graph_id: uuid.UUID | None = None) -> QuerySet[Schedule]:
    schedules = Schedule.objects.filter(user=user)
    return schedules if graph_id is None else schedules.filter(graph_id=graph_id)

"""The status transition table (upstream's VALID_STATUS_TRANSITIONS) and guarded updates.

A status changes only through an UPDATE whose WHERE clause names the statuses
the target may be reached from: `transition` for the ORM, `sources_sql` for the
engine's own statements. A writer that lost a race (the stop API, a worker, the
sweep) updates nothing and moves no status back.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.executions.models import ExecutionStatus as S

# Unlike upstream, a TERMINATED execution is never resumed: a stopped run stays
# stopped. RUNNING -> QUEUED is the sweep handing an execution whose worker
# lease expired to another worker (it also checks the lease), or a retry.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    S.QUEUED: (S.INCOMPLETE, S.RUNNING),
    S.RUNNING: (S.QUEUED,),
    S.COMPLETED: (S.RUNNING,),
    S.FAILED: (S.INCOMPLETE, S.QUEUED, S.RUNNING),
    S.TERMINATED: (S.INCOMPLETE, S.QUEUED, S.RUNNING),
    S.INCOMPLETE: (),
}


def transition(queryset: QuerySet[Any], target: str, **fields: Any) -> int:
    """Moves the rows of `queryset` that may reach `target` to it; returns how many moved."""
    return int(queryset.filter(status__in=ALLOWED_FROM[target]).update(status=target, **fields))


def sources_sql(target: str) -> str:
    """The statuses `target` may be reached from, as an SQL list: `status IN ({sources_sql(...)})`."""
    return ", ".join(f"'{status}'" for status in ALLOWED_FROM[target])

"""The periodic sweep: what a lost message, a dead worker or a crash between commit and send left behind.

- QUEUED executions nobody claimed in time are sent again;
- RUNNING executions whose lease expired go back to QUEUED and are sent again, unless
  that happened `ENGINE_MAX_LEASE_EXPIRIES` times already: then they fail;
- Agent nodes whose child run was never started get it started, and those whose
  child run ended but were never resumed are resumed;
- runs with nothing queued or running that never got their final status get it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from apps.executions import dispatch
from apps.executions.models import ACTIVE_STATUSES, FINAL_STATUSES, GraphExecution, NodeExecution
from apps.executions.models import ExecutionStatus as S
from apps.executions.runner import Outcome
from apps.executions.status import transition
from apps.executions.worker import end_node_execution
from apps.executions.writes import run_finalize

logger = structlog.get_logger(__name__)
BATCH = 500


def execution_sweep() -> dict[str, int]:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.ENGINE_REQUEUE_AFTER_SECONDS)

    expired = list(
        NodeExecution.objects.filter(status=S.RUNNING, lease_expires_at__lt=now).values_list("pk", flat=True)[:BATCH]
    )
    given_up = 0
    for pk in expired:
        lapsed = NodeExecution.objects.filter(pk=pk, status=S.RUNNING, lease_expires_at__lt=now)
        lapsed.update(lease_expiries=F("lease_expiries") + 1)
        if not transition(
            lapsed.filter(lease_expiries__lt=settings.ENGINE_MAX_LEASE_EXPIRIES), S.QUEUED, lease_expires_at=None
        ):
            given_up += _give_up(pk, now)

    unclaimed = NodeExecution.objects.filter(status=S.QUEUED).filter(Q(queued_at__lt=stale) | Q(pk__in=expired))
    resend = list(unclaimed.only("pk", "graph_execution_id", "node_id")[:BATCH])
    dispatch.send_node_executions(resend)

    agents = NodeExecution.objects.filter(status=S.RUNNING, lease_expires_at__isnull=True)
    unstarted = list(
        agents.filter(started_at__lt=stale, child_execution__isnull=True).values_list("pk", flat=True)[:BATCH]
    )
    for pk in unstarted:
        dispatch.send_subgraph_start(pk)
    waiting = list(agents.filter(child_execution__status__in=FINAL_STATUSES).values_list("pk", flat=True)[:BATCH])
    for pk in waiting:
        dispatch.send_parent_resume(pk)

    active = NodeExecution.objects.filter(graph_execution_id=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    unfinished = GraphExecution.objects.filter(status__in=(S.QUEUED, S.RUNNING), updated_at__lt=stale).filter(
        ~Exists(active)
    )
    finalized = 0
    for run_id in unfinished.values_list("pk", flat=True)[:BATCH]:
        finalized += run_finalize(run_id=run_id) is not None
    counts = {
        "requeued": len(expired) - given_up,
        "given_up": given_up,
        "resent": len(resend),
        "started": len(unstarted),
        "resumed": len(waiting),
        "finalized": finalized,
    }
    if any(counts.values()):
        logger.info("execution_sweep", **counts)
    return counts


def lease_expiries_message(count: int) -> str:
    return (
        f"The worker running this node stopped renewing its lease {count} times (it died or hung); "
        "the node is not handed to another worker again (ENGINE_MAX_LEASE_EXPIRIES)."
    )


def _give_up(pk: Any, now: Any) -> int:
    """Fails an execution whose lease expired once too often, by the path every node's end takes."""
    row = NodeExecution.objects.filter(
        pk=pk, status=S.RUNNING, lease_expires_at__lt=now, lease_expiries__gte=settings.ENGINE_MAX_LEASE_EXPIRIES
    ).first()
    if row is None:
        return 0
    logger.warning("node_execution_given_up", node_exec_id=str(pk), lease_expiries=row.lease_expiries)
    end_node_execution(row=row, outcome=Outcome(S.FAILED, lease_expiries_message(row.lease_expiries)))
    return 1

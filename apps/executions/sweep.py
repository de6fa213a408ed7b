"""The periodic sweep: what a lost message, a dead worker or a crash between commit and send left behind.

- QUEUED executions nobody claimed in time are sent again (only the head of
  each node's queue: the others wait for it anyway);
- RUNNING executions whose lease expired go back to QUEUED and are sent again;
- Agent nodes whose child run ended but were never resumed are resumed;
- runs with nothing queued or running that never got their final status get it.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.executions.dispatch import send_node_executions
from apps.executions.models import ACTIVE_STATUSES, FINAL_STATUSES, GraphExecution, NodeExecution
from apps.executions.models import ExecutionStatus as S
from apps.executions.status import transition

logger = structlog.get_logger(__name__)
BATCH = 500


def _heads_of_line(queryset: QuerySet[NodeExecution]) -> QuerySet[NodeExecution]:
    blockers = NodeExecution.objects.filter(
        graph_execution_id=OuterRef("graph_execution_id"), node_id=OuterRef("node_id")
    ).filter(Q(status=S.RUNNING) | Q(status=S.QUEUED, added_at__lt=OuterRef("added_at")))
    return queryset.filter(~Exists(blockers))


def execution_sweep() -> dict[str, int]:
    from apps.executions.services import execution_finalize_if_done
    from apps.executions.tasks import resume_subgraph_node

    now = timezone.now()
    stale = now - timedelta(seconds=settings.ENGINE_REQUEUE_AFTER_SECONDS)

    expired = list(
        NodeExecution.objects.filter(status=S.RUNNING, lease_expires_at__lt=now).values_list("pk", flat=True)[:BATCH]
    )
    for pk in expired:
        transition(NodeExecution.objects.filter(pk=pk, lease_expires_at__lt=now), S.QUEUED, lease_expires_at=None)

    unclaimed = _heads_of_line(NodeExecution.objects.filter(status=S.QUEUED)).filter(
        Q(queued_at__lt=stale) | Q(pk__in=expired)
    )
    resend = list(unclaimed.only("pk", "graph_execution_id", "node_id")[:BATCH])
    send_node_executions(resend)

    waiting = NodeExecution.objects.filter(
        status=S.RUNNING, lease_expires_at__isnull=True, child_execution__status__in=FINAL_STATUSES
    ).values_list("pk", flat=True)[:BATCH]
    for pk in waiting:
        resume_subgraph_node.delay(str(pk))

    active = NodeExecution.objects.filter(graph_execution_id=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    unfinished = GraphExecution.objects.filter(status__in=(S.QUEUED, S.RUNNING), updated_at__lt=stale).filter(
        ~Exists(active)
    )
    finalized = 0
    for run_id in unfinished.values_list("pk", flat=True)[:BATCH]:
        finalized += execution_finalize_if_done(run_id=run_id) is not None
    counts = {"requeued": len(expired), "resent": len(resend), "resumed": len(waiting), "finalized": finalized}
    if any(counts.values()):
        logger.info("execution_sweep", **counts)
    return counts

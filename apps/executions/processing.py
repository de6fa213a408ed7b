"""The life of one node execution in a worker: claim, charge, run the block, finish, hand on.

The claim is a guarded update, so a duplicated or redelivered task finds the
row claimed or finished and does nothing. Writing outputs and the execution's
end is `completion`'s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from apps.blocks.base import BlockType
from apps.core.redis import get_redis
from apps.credentials.exceptions import CredentialsUnavailableError
from apps.credentials.runs import credentials_for_block
from apps.credits.charging import credits_charge_node_execution
from apps.credits.exceptions import InsufficientBalanceError
from apps.executions import sql
from apps.executions.compiled import compiled_graph
from apps.executions.completion import Finished, finish, flush_outputs, renew_lease
from apps.executions.context import run_meta
from apps.executions.dispatch import send_node_executions
from apps.executions.events import EventBatch
from apps.executions.job import Job, LostExecutionError, cancel_key
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution
from apps.executions.runner import BlockRunner, EngineError, Outcome
from apps.executions.serialization import graph_execution_json
from apps.executions.status import transition

logger = structlog.get_logger(__name__)


# --- claim ------------------------------------------------------------------------


def claim(*, node_exec_id: str, run_id: str, node_id: str) -> NodeExecution | None:
    """QUEUED -> RUNNING, only for the head of its node's queue and only if none of that node runs."""
    now = timezone.now()
    return sql.claim_node_execution(
        node_exec_id=node_exec_id,
        run_id=run_id,
        node_id=node_id,
        now=now,
        lease_until=now + timedelta(seconds=settings.ENGINE_LEASE_SECONDS),
    )


def _mark_run_started(job: Job, events: EventBatch) -> None:
    """The first claimed starting node moves the run from QUEUED to RUNNING."""
    if job.node.id not in job.graph.starting_node_ids:
        return
    # The run starts when its first node did, not a moment later.
    if transition(GraphExecution.objects.filter(pk=job.run_id), S.RUNNING, started_at=job.row.started_at):
        run = GraphExecution.objects.get(pk=job.run_id)
        events.graph(run_id=job.run_id, graph_id=job.run.graph_id, data=graph_execution_json(run))


def _retry_later(job: Job, outcome: Outcome) -> bool:
    """Puts a transiently failed execution back in the queue, if its block's policy allows another attempt."""
    policy = job.node.block.retry
    if policy is None or not outcome.retryable or job.row.attempt >= policy.max_attempts:
        return False
    stats = dict(job.row.stats or {})
    stats.setdefault("attempts", []).append({"attempt": job.row.attempt, "error": outcome.error})
    now = timezone.now()
    with transaction.atomic():
        moved = transition(
            NodeExecution.objects.filter(pk=job.row.pk, attempt=job.row.attempt),
            S.QUEUED,
            stats=stats,
            lease_expires_at=None,
            queued_at=now,
        )
        if moved:
            job.row.status, job.row.stats, job.row.queued_at = S.QUEUED, stats, now
            job.node_event(job.events)  # RUNNING (if not sent yet), then QUEUED again
            delay = policy.delay_before(job.row.attempt)
            transaction.on_commit(job.events.publish)
            transaction.on_commit(lambda: _send_later(job.row, delay))
    return bool(moved)


def _send_later(row: NodeExecution, delay: float) -> None:
    from apps.executions.tasks import run_node_execution

    run_node_execution.apply_async(args=[str(row.pk), str(row.graph_execution_id), str(row.node_id)], countdown=delay)


# --- the pipeline ----------------------------------------------------------------------


def _should_cancel(job: Job) -> bool:
    """The run's cancel flag. Redis being away cancels nothing: a stop is also in the database,
    and the execution's end checks it."""
    try:
        return bool(get_redis().exists(cancel_key(job.run_id)))
    except (RedisError, OSError):
        return False


def _housekeeping(job: Job) -> None:
    job.events.publish()
    if time.monotonic() - job.lease_renewed_at > settings.ENGINE_LEASE_SECONDS / 3:
        renew_lease(job)


@dataclass
class Step:
    """What processing one execution leaves to do: executions to send, and one already claimed to run here."""

    dispatch: list[NodeExecution] = field(default_factory=list)
    claimed: NodeExecution | None = None
    claimed_execution_count: int | None = None


def execute_claimed(row: NodeExecution, *, may_claim_next: bool, execution_count: int | None = None) -> Step:
    """Runs a node execution this worker has claimed, through to its completion."""
    run_id, node_id = str(row.graph_execution_id), str(row.node_id)
    meta = run_meta(run_id)
    graph = compiled_graph(meta.graph_id, meta.graph_version)
    job = Job(row=row, run=meta, graph=graph, node=graph.nodes[node_id])
    structlog.contextvars.bind_contextvars(graph_exec_id=run_id, node_exec_id=str(row.pk))
    job.node_event(job.events)
    _mark_run_started(job, job.events)
    try:
        credentials = credentials_for_block(user_id=meta.user_id, block=job.node.block, input_data=row.input_data or {})
    except CredentialsUnavailableError as error:
        # Deleted since the run started, or tokens that cannot be refreshed: this node fails, uncharged.
        return Step(dispatch=after_finish(job, finish(job, Outcome(S.FAILED, error.message))))
    try:
        cost = credits_charge_node_execution(
            user_id=meta.user_id,
            node_exec_id=row.pk,
            graph_exec_id=run_id,
            graph_id=meta.graph_id,
            node_id=node_id,
            block=job.node.block,
            input_data=row.input_data or {},
            agent_name=meta.graph_name,
            execution_count=execution_count,
        )
    except InsufficientBalanceError as error:
        # Out of credits: this node fails with the reason and nothing after it runs.
        from apps.executions.services import execution_halt

        execution_halt(run_id=run_id)
        finished = finish(job, Outcome(S.FAILED, str(error)), fatal=True)
        return Step(dispatch=after_finish(job, finished))
    if job.node.block.block_type is BlockType.AGENT:
        job.events.publish()
        from apps.executions.subgraphs import subgraph_start

        subgraph_start(job)
        return Step()
    runner = BlockRunner(
        block=job.node.block,
        input_data=row.input_data or {},
        context={**meta.block_context(node_id=node_id, node_exec_id=str(row.pk)), **credentials.kwargs},
        time_limit=job.node.block.time_limit or settings.BLOCK_TIME_LIMIT_SECONDS,
        flush=lambda outputs: flush_outputs(job, outputs),
        should_cancel=lambda: _should_cancel(job),
        housekeeping=lambda: _housekeeping(job),
    )
    try:
        outcome = runner.run()
        outcome.error = credentials.scrub(outcome.error)
        if outcome.status == S.FAILED and _retry_later(job, outcome):
            return Step()
        finished = finish(job, outcome, cost=cost, claim=may_claim_next)
    except LostExecutionError:
        logger.warning("node_execution_lost", node_exec_id=str(row.pk))
        return Step()
    except EngineError:
        raise  # the lease brings the execution back once the database or Redis is
    except Exception:
        # A bug, not a block failure: fail this execution rather than retry it forever.
        # (If the database itself is down this raises again, and the lease brings the execution back.)
        logger.exception("node_execution_crashed", node_exec_id=str(row.pk))
        finished = finish(job, Outcome(S.FAILED, "Internal error while executing this node"), cost=cost)
    return Step(
        dispatch=after_finish(job, finished),
        claimed=finished.claimed,
        claimed_execution_count=finished.claimed_execution_count,
    )


def after_finish(job: Job, finished: Finished) -> list[NodeExecution]:
    """Ends the run if this was its last work; returns what to send on."""
    if not finished.queued_any:
        from apps.executions.services import execution_finalize_if_done

        execution_finalize_if_done(run_id=job.run_id)
    return finished.dispatch


def process_chain(*, node_exec_id: str, run_id: str, node_id: str) -> None:
    """Claims and runs a node execution, then, while it leaves exactly one successor, that one too.

    The lone successor is written already claimed by this worker in the same
    commit that creates it, so it costs neither a broker hop nor a separate
    claim, and its count for the execution-count charge is taken in the round
    trip that publishes that commit's events. The chain is bounded so one long
    graph cannot hold a worker for long; if this worker dies, the successor's
    lease brings it back.
    """
    row = claim(node_exec_id=node_exec_id, run_id=run_id, node_id=node_id)
    execution_count = None
    deadline = time.monotonic() + settings.ENGINE_LOCAL_CHAIN_SECONDS
    for remaining in range(settings.ENGINE_LOCAL_CHAIN_MAX, 0, -1):
        if row is None:
            return
        may_claim_next = remaining > 1 and time.monotonic() < deadline
        step = execute_claimed(row, may_claim_next=may_claim_next, execution_count=execution_count)
        send_node_executions(step.dispatch)
        row, execution_count = step.claimed, step.claimed_execution_count

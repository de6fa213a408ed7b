"""Writes on runs from the API: start, stop, delete. (The engine's own writes are `worker`'s.)"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.blocks.base import BlockInputError, BlockType
from apps.core.db import release_connection
from apps.core.exceptions import ApplicationError
from apps.core.jsonsafe import json_safe
from apps.credentials.runs import run_credentials_prepare
from apps.credits.selectors import credits_check_can_execute
from apps.executions.compiled import compiled_graph
from apps.executions.context import request_cancel
from apps.executions.dispatch import send_node_executions
from apps.executions.events import EventBatch
from apps.executions.models import FINAL_STATUSES, GraphExecution, NodeExecution, NodeExecutionInput
from apps.executions.models import ExecutionStatus as S
from apps.executions.serialization import graph_execution_json, node_execution_json
from apps.executions.status import transition
from apps.executions.writes import run_finalize
from apps.graphs.models import Graph
from apps.graphs.nesting import graph_check_nesting
from apps.graphs.pins import DynamicPinError, merge_execution_input
from apps.graphs.validation import GraphValidationError

NO_STARTING_NODES = (
    "No starting nodes found for the graph, make sure an AgentInput or blocks with no inbound links "
    "are present as starting nodes."
)


class StartingNodeInputError(ApplicationError):
    code = "INVALID_GRAPH_INPUT"


def _starting_executions(
    graph: Graph, run: GraphExecution, inputs: dict[str, Any], masks: dict[str, Any]
) -> list[tuple[NodeExecution, dict[str, Any]]]:
    """One QUEUED execution per starting node, with its validated input (reference §2.2)."""
    compiled = compiled_graph(graph.graph_id, graph.version)
    starting = compiled.starting_nodes
    if not starting:
        raise ApplicationError(NO_STARTING_NODES, code="NO_STARTING_NODES")
    missing: dict[str, dict[str, str]] = {}
    prepared = []
    now = timezone.now()
    for offset, node in enumerate(starting):
        given: dict[str, Any] = {}
        if node.block.block_type is BlockType.INPUT:
            name = node.input_default.get("name")
            if name in inputs:
                given = {"value": inputs[name]}
            elif node.input_default.get("value") is None:
                missing[node.id] = {"value": f"Graph input `{name}` is required"}
                continue
        try:
            data = merge_execution_input({**node.input_default, **given, **masks.get(node.id, {})})
            node.block.parse_input(data)
        except (BlockInputError, DynamicPinError) as error:
            raise StartingNodeInputError(f"Invalid input for node {node.block.name} #{node.id}: {error}") from error
        row = NodeExecution(
            graph_execution=run,
            node_id=node.id,
            status=S.QUEUED,
            input_data=json_safe(data),
            added_at=now + timedelta(microseconds=offset),
            queued_at=now,
        )
        prepared.append((row, given))
    if missing:
        raise GraphValidationError(missing)
    return prepared


def _existing_run(user: User, key: str) -> GraphExecution | None:
    run = GraphExecution.objects.filter(user=user, idempotency_key=key).first()
    if run is None:
        return None
    if run.created_at < timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_WINDOW_SECONDS):
        # The key is free again: the old run keeps its history without it.
        GraphExecution.objects.filter(pk=run.pk).update(idempotency_key=None)
        return None
    return run


def execution_start(
    *,
    user: User,
    graph: Graph,
    inputs: dict[str, Any],
    credentials_inputs: dict[str, Any] | None = None,
    nodes_input_masks: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    preset_id: Any = None,
    parent_execution_id: Any = None,
    parent_node_execution_id: Any = None,
    depth: int = 0,
) -> GraphExecution:
    """Validates the graph for a run, creates the run and its starting executions, and sends them after commit."""
    if idempotency_key and (existing := _existing_run(user, idempotency_key)) is not None:
        return existing
    credits_check_can_execute(user_id=user.pk)
    masks = run_credentials_prepare(
        user_id=user.pk,
        graph=graph,
        credentials_inputs=credentials_inputs or {},
        nodes_input_masks=nodes_input_masks or {},
    )
    graph_check_nesting(graph=graph)
    try:
        with transaction.atomic():
            run = GraphExecution.objects.create(
                graph=graph,
                graph_public_id=graph.graph_id,
                graph_version=graph.version,
                user=user,
                status=S.QUEUED,
                inputs=json_safe(inputs),
                credential_inputs=json_safe(credentials_inputs or {}),
                nodes_input_masks=masks,
                idempotency_key=idempotency_key or None,
                preset_id=preset_id,
                parent_execution_id=parent_execution_id,
                parent_node_execution_id=parent_node_execution_id,
                depth=depth,
            )
            prepared = _starting_executions(graph, run, inputs, masks)
            rows = NodeExecution.objects.bulk_create([row for row, _ in prepared])
            NodeExecutionInput.objects.bulk_create(
                NodeExecutionInput(node_execution=row, name=name, data=json_safe(value))
                for row, given in prepared
                for name, value in given.items()
            )
            events = EventBatch()
            events.graph(run_id=run.id, graph_id=run.graph_public_id, data=graph_execution_json(run, outputs={}))
            compiled = compiled_graph(graph.graph_id, graph.version)
            for row in rows:
                events.node(
                    run_id=run.id,
                    data=node_execution_json(
                        row,
                        run=run,
                        block_id=compiled.nodes[str(row.node_id)].block.id,
                        input_data=row.input_data or {},
                        output_data={},
                    ),
                )
            transaction.on_commit(events.publish)
            transaction.on_commit(lambda: send_node_executions(rows))
    except IntegrityError:
        # The same idempotency key, used concurrently: the other request's run is the one.
        existing = _existing_run(user, idempotency_key or "") if idempotency_key else None
        if existing is None:
            raise
        return existing
    return run


def execution_stop(*, run: GraphExecution, wait_seconds: float | None = None) -> GraphExecution:
    """Stops a run and the sub-runs below it, deepest first: waiting executions end at once, running
    blocks are cancelled.

    The cancel flags go first: they reach blocks that run (and the watchdog, for a block step that holds
    its thread and perhaps the run's row lock, which the database part below waits for). So the stop
    needs Redis: if Redis is unreachable, nothing is changed and the error goes up (503), the database
    connection given back before the wait for Redis.
    """
    levels = _active_tree(run)
    release_connection()
    request_cancel([run_id for level in levels for run_id in level])
    now = timezone.now()
    stopped = [run_id for level in reversed(levels) for run_id in level if _stop_one(run_id, now)]
    for run_id in stopped:
        run_finalize(run_id=run_id)
    deadline = time.monotonic() + (settings.ENGINE_STOP_WAIT_SECONDS if wait_seconds is None else wait_seconds)
    while True:
        current = GraphExecution.objects.get(pk=run.pk)
        if current.status in FINAL_STATUSES or time.monotonic() >= deadline:
            return current
        # Waiting for the workers: no connection held between looks.
        release_connection()
        time.sleep(STOP_POLL_SECONDS)


STOP_POLL_SECONDS = 0.1


def _active_tree(run: GraphExecution) -> list[list[Any]]:
    """The run and its unfinished sub-runs, level by level (one query a level, each run once: a loop
    in stored rows cannot make this go on)."""
    levels: list[list[Any]] = [[run.pk]]
    seen = {run.pk}
    while True:
        below = [
            pk
            for pk in GraphExecution.objects.filter(parent_execution_id__in=levels[-1])
            .exclude(status__in=FINAL_STATUSES)
            .values_list("pk", flat=True)
            if pk not in seen
        ]
        if not below:
            return levels
        seen.update(below)
        levels.append(below)


def _stop_one(run_id: Any, now: Any) -> bool:
    """Marks one run stopped and ends its waiting executions; False if it had ended already."""
    with transaction.atomic():
        status, stop_requested_at = (
            GraphExecution.objects.select_for_update()
            .filter(pk=run_id)
            .values_list("status", "stop_requested_at")
            .get()
        )
        if status in FINAL_STATUSES:
            return False
        if stop_requested_at is None:
            GraphExecution.objects.filter(pk=run_id).update(stop_requested_at=now)
        transition(
            NodeExecution.objects.filter(graph_execution_id=run_id, status__in=(S.QUEUED, S.INCOMPLETE)),
            S.TERMINATED,
            ended_at=now,
            drained=True,
        )
    return True


def execution_delete(*, run: GraphExecution) -> None:
    GraphExecution.objects.filter(pk=run.pk).update(is_deleted=True, updated_at=timezone.now())

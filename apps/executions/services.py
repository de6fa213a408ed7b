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
from apps.core.exceptions import ApplicationError
from apps.core.jsonsafe import json_safe
from apps.credentials.runs import run_credentials_prepare
from apps.credits.selectors import credits_check_can_execute
from apps.executions.compiled import compiled_graph
from apps.executions.context import set_cancel_flag
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
    """Stops a run: waiting executions end at once, running blocks are cancelled (sub-runs first)."""
    for child in GraphExecution.objects.filter(parent_execution=run).exclude(status__in=FINAL_STATUSES):
        execution_stop(run=child, wait_seconds=0)
    now = timezone.now()
    with transaction.atomic():
        locked = GraphExecution.objects.select_for_update().get(pk=run.pk)
        if locked.status in FINAL_STATUSES:
            return locked
        if locked.stop_requested_at is None:
            GraphExecution.objects.filter(pk=run.pk).update(stop_requested_at=now)
        transition(
            NodeExecution.objects.filter(graph_execution=run, status__in=(S.QUEUED, S.INCOMPLETE)),
            S.TERMINATED,
            ended_at=now,
            drained=True,
        )
    set_cancel_flag(run.pk)
    run_finalize(run_id=run.pk)
    deadline = time.monotonic() + (settings.ENGINE_STOP_WAIT_SECONDS if wait_seconds is None else wait_seconds)
    while True:
        current = GraphExecution.objects.get(pk=run.pk)
        if current.status in FINAL_STATUSES or time.monotonic() >= deadline:
            return current
        time.sleep(0.1)


def execution_delete(*, run: GraphExecution) -> None:
    GraphExecution.objects.filter(pk=run.pk).update(is_deleted=True, updated_at=timezone.now())

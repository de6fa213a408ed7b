"""Agent nodes: a node that runs another graph as a child run.

The node's execution does not hold a worker while the child runs: the worker
leaves it RUNNING without a lease and sends `start_subgraph`, which starts the
child run, unless the parent already runs `SUB_GRAPH_MAX_DEPTH` levels deep (the
node then fails). When the child run ends, its Output values are re-yielded by name as
the node's outputs, its cost and node count roll into the parent's, and the
node ends as any other would.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from apps.core.exceptions import ApplicationError
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution
from apps.executions.runner import Outcome
from apps.executions.selectors import run_outputs
from apps.executions.services import execution_start
from apps.executions.worker import end_node_execution
from apps.graphs.models import Graph


def _child_inputs(input_data: dict[str, Any]) -> dict[str, Any]:
    """The sub-graph's inputs: the node's `inputs`, overridden by values linked to the sub-graph's input pins."""
    schema = input_data.get("input_schema") or {}
    names = set(schema.get("properties", {})) if isinstance(schema, dict) else set()
    given = input_data.get("inputs")
    defaults: dict[str, Any] = given if isinstance(given, dict) else {}
    return {**defaults, **{name: value for name, value in input_data.items() if name in names}}


def depth_exceeded_message(depth: int) -> str:
    return (
        f"Sub-graph not started: it would run {depth} levels deep, "
        f"past the limit of {settings.SUB_GRAPH_MAX_DEPTH} (SUB_GRAPH_MAX_DEPTH)."
    )


def _waiting(node_exec_id: str) -> NodeExecution | None:
    return NodeExecution.objects.filter(pk=node_exec_id, status=S.RUNNING, lease_expires_at__isnull=True).first()


def subgraph_start(*, node_exec_id: str) -> None:
    """Starts the child run of a waiting Agent node (once: a repeated message finds the child started)."""
    row = _waiting(node_exec_id)
    if row is None or GraphExecution.objects.filter(parent_node_execution_id=row.pk).exists():
        return
    run = GraphExecution.objects.select_related("user").get(pk=row.graph_execution_id)
    data = row.input_data or {}
    if run.depth >= settings.SUB_GRAPH_MAX_DEPTH:
        # Saving and starting a graph check its nesting; this holds whatever was stored since.
        end_node_execution(row=row, outcome=Outcome(S.FAILED, depth_exceeded_message(run.depth + 1)))
        return
    try:
        graph = (
            Graph.objects.prefetch_related("nodes", "links")
            .filter(
                user_id=run.user_id,
                graph_id=uuid.UUID(str(data.get("graph_id"))),
                version=int(data.get("graph_version") or 0),
            )
            .first()
        )
        if graph is None:
            raise ApplicationError(f"Graph #{data.get('graph_id')} not found.")
        execution_start(
            user=run.user,
            graph=graph,
            inputs=_child_inputs(data),
            # The parent's credentials inputs cover the sub-graph's nodes too (its schema includes them).
            credentials_inputs=run.credential_inputs,
            nodes_input_masks=data.get("nodes_input_masks") or None,
            parent_execution_id=run.pk,
            parent_node_execution_id=row.pk,
            depth=run.depth + 1,
        )
    except (ApplicationError, ValueError) as error:
        end_node_execution(row=row, outcome=Outcome(S.FAILED, f"Sub-graph could not start: {error}"))


def subgraph_resume(*, node_exec_id: str) -> None:
    """Ends a waiting Agent node from its ended child run."""
    row = _waiting(node_exec_id)
    child = GraphExecution.objects.filter(parent_node_execution_id=uuid.UUID(node_exec_id)).first()
    if row is None or child is None or child.status not in (S.COMPLETED, S.FAILED, S.TERMINATED):
        return
    outputs = [(name, value) for name, values in run_outputs(run_id=child.id).items() for value in values]
    error = None
    if child.status == S.FAILED:
        error = f"Sub-graph run {child.id} failed: {child.error or 'unknown error'}"
    elif child.status == S.TERMINATED:
        error = f"Sub-graph run {child.id} was stopped"
    outcome = Outcome(child.status, error, walltime=child.nodes_walltime, cputime=child.nodes_cputime)
    end_node_execution(row=row, outcome=outcome, outputs=outputs, cost=child.cost, extra_steps=child.node_count)

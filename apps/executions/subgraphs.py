"""Agent nodes: a node that runs another graph as a child run.

The node's execution does not hold a worker while the child runs: it starts
the child run and stays RUNNING without a lease. When the child run ends, its
Output values are re-yielded by name as the node's outputs, its cost and node
count roll into the parent's, and the node finishes as any other would.
"""

from __future__ import annotations

import uuid
from typing import Any

from apps.core.exceptions import ApplicationError
from apps.executions.compiled import compiled_graph
from apps.executions.completion import finish
from apps.executions.context import run_meta
from apps.executions.job import Job
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution
from apps.executions.runner import Outcome
from apps.executions.selectors import run_outputs
from apps.graphs.models import Graph


def _child_inputs(input_data: dict[str, Any]) -> dict[str, Any]:
    """The sub-graph's inputs: the node's `inputs`, overridden by values linked to the sub-graph's input pins."""
    schema = input_data.get("input_schema") or {}
    names = set(schema.get("properties", {})) if isinstance(schema, dict) else set()
    given = input_data.get("inputs")
    defaults: dict[str, Any] = given if isinstance(given, dict) else {}
    return {**defaults, **{name: value for name, value in input_data.items() if name in names}}


def subgraph_start(job: Job) -> None:
    from apps.executions.services import execution_start

    data = job.row.input_data or {}
    try:
        graph = (
            Graph.objects.prefetch_related("nodes", "links")
            .filter(
                user_id=job.run.user_id,
                graph_id=uuid.UUID(str(data.get("graph_id"))),
                version=int(data.get("graph_version") or 0),
            )
            .first()
        )
        if graph is None:
            raise ApplicationError(f"Graph #{data.get('graph_id')} not found.")
        NodeExecution.objects.filter(pk=job.row.pk, status=S.RUNNING).update(lease_expires_at=None)
        execution_start(
            user=graph.user,
            graph=graph,
            inputs=_child_inputs(data),
            # The parent's credentials inputs cover the sub-graph's nodes too (its schema includes them).
            credentials_inputs=job.run.credential_inputs,
            nodes_input_masks=data.get("nodes_input_masks") or None,
            parent_execution_id=job.run_id,
            parent_node_execution_id=job.row.pk,
        )
    except (ApplicationError, ValueError) as error:
        from apps.executions.processing import after_finish

        after_finish(job, finish(job, Outcome(S.FAILED, f"Sub-graph could not start: {error}")))


def subgraph_resume(*, node_exec_id: str) -> list[NodeExecution]:
    """Finishes a waiting Agent node from its ended child run; returns the executions to send on."""
    row = NodeExecution.objects.filter(pk=node_exec_id, status=S.RUNNING).first()
    child = GraphExecution.objects.filter(parent_node_execution_id=uuid.UUID(node_exec_id)).first()
    if row is None or child is None or child.status not in (S.COMPLETED, S.FAILED, S.TERMINATED):
        return []
    meta = run_meta(str(row.graph_execution_id))
    graph = compiled_graph(meta.graph_id, meta.graph_version)
    job = Job(row=row, run=meta, graph=graph, node=graph.nodes[str(row.node_id)])
    outputs = [(name, value) for name, values in run_outputs(run_id=child.id).items() for value in values]
    error = None
    if child.status == S.FAILED:
        error = f"Sub-graph run {child.id} failed: {child.error or 'unknown error'}"
    elif child.status == S.TERMINATED:
        error = f"Sub-graph run {child.id} was stopped"
    status = S.COMPLETED if child.status == S.COMPLETED else child.status
    outcome = Outcome(status, error, pending=outputs, walltime=child.nodes_walltime, cputime=child.nodes_cputime)
    from apps.executions.processing import after_finish

    return after_finish(job, finish(job, outcome, cost=child.cost, extra_steps=child.node_count))

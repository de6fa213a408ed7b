"""Reads on runs. Someone else's run is indistinguishable from a missing one."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.blocks.base import BlockType
from apps.blocks.registry import all_blocks
from apps.core.exceptions import NotFoundError
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution


def runs_for_user(*, user: User) -> QuerySet[GraphExecution]:
    return GraphExecution.objects.filter(user=user, is_deleted=False).order_by("-created_at")


def run_get_for_user(*, user: User, run_id: uuid.UUID, graph_id: uuid.UUID | None = None) -> GraphExecution:
    runs = runs_for_user(user=user).filter(pk=run_id)
    if graph_id is not None:
        runs = runs.filter(graph_public_id=graph_id)
    run = runs.first()
    if run is None:
        raise NotFoundError(f"Graph execution #{run_id} not found.")
    return run


def run_exists_for_user(*, user_id: uuid.UUID | str, run_id: str) -> bool:
    """Whether `run_id` names one of the user's runs (a malformed id names none)."""
    try:
        parsed = uuid.UUID(run_id)
    except (TypeError, ValueError, AttributeError):
        return False
    return GraphExecution.objects.filter(pk=parsed, user_id=user_id, is_deleted=False).exists()


def run_outputs(*, run_id: Any) -> dict[str, list[Any]]:
    """The run's outputs: each completed Output node's `name` → its `value`s, in queue order."""
    output_blocks = [block.id for block in all_blocks() if block.block_type is BlockType.OUTPUT]
    executions = (
        NodeExecution.objects.filter(graph_execution_id=run_id, status=S.COMPLETED, node__block_id__in=output_blocks)
        .order_by("queued_at", "added_at")
        .values_list("input_data", flat=True)
    )
    outputs: dict[str, list[Any]] = {}
    for input_data in executions:
        if isinstance(input_data, dict) and "name" in input_data:
            outputs.setdefault(str(input_data["name"]), []).append(input_data.get("value"))
    return outputs


def node_executions_for_run(*, run_id: Any) -> QuerySet[NodeExecution]:
    return (
        NodeExecution.objects.filter(graph_execution_id=run_id)
        .select_related("node")
        .prefetch_related("inputs", "outputs")
        .order_by("queued_at", "added_at")
    )

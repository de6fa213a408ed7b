"""Reads on graphs. Someone else's graph is indistinguishable from a missing one."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import User
from apps.blocks.base import BlockType
from apps.core.exceptions import NotFoundError
from apps.graphs.models import Graph, Node
from apps.graphs.spec import AGENT_EXECUTOR_BLOCK_ID


def _with_structure(queryset: QuerySet[Graph]) -> QuerySet[Graph]:
    return queryset.prefetch_related("nodes", "links")


def graph_get_for_user(*, user: User, graph_id: uuid.UUID, version: int | None = None) -> Graph:
    """The given version, or the active one; nodes and links prefetched."""
    graphs = Graph.objects.filter(user=user, graph_id=graph_id)
    graphs = graphs.filter(version=version) if version is not None else graphs.filter(is_active=True)
    graph = _with_structure(graphs).first()
    if graph is None:
        raise NotFoundError(f"Graph #{graph_id} not found.")
    return graph


def graph_exists_for_user(*, user_id: uuid.UUID | str, graph_id: str) -> bool:
    """Whether `graph_id` (the public id) names one of the user's graphs (a malformed id names none)."""
    try:
        parsed = uuid.UUID(graph_id)
    except (TypeError, ValueError, AttributeError):
        return False
    return Graph.objects.filter(graph_id=parsed, user_id=user_id).exists()


def graph_versions_for_user(*, user: User, graph_id: uuid.UUID) -> list[Graph]:
    versions = list(_with_structure(Graph.objects.filter(user=user, graph_id=graph_id).order_by("-version")))
    if not versions:
        raise NotFoundError(f"Graph #{graph_id} not found.")
    return versions


def graphs_list_active(*, user: User) -> QuerySet[Graph]:
    """Active versions, newest first, with only the nodes that shape their input, output and credentials schemas."""
    from apps.blocks.registry import all_blocks
    from apps.credentials.fields import schema_credentials_info

    io_block_ids = [
        b.id
        for b in all_blocks()
        if b.block_type in (BlockType.INPUT, BlockType.OUTPUT) or b.webhook_config or schema_credentials_info(b.Input)
    ]
    io_nodes = Prefetch("nodes", queryset=Node.objects.filter(block_id__in=io_block_ids))
    return Graph.objects.filter(user=user, is_active=True).order_by("-updated_at").prefetch_related(io_nodes)


def graph_sub_graphs(*, graph: Graph) -> list[Graph]:
    """Every graph version this one runs through Agent nodes, transitively, each once."""
    found: dict[tuple[str, int], Graph] = {}
    frontier = [graph]
    while frontier:
        current = frontier.pop()
        for node in current.nodes.all():
            if node.block_id != AGENT_EXECUTOR_BLOCK_ID:
                continue
            key = (str(node.input_default.get("graph_id")), node.input_default.get("graph_version"))
            if key in found or key[0] == str(graph.graph_id):
                continue
            try:
                target_id = uuid.UUID(key[0])
            except ValueError:
                continue
            target = _with_structure(
                Graph.objects.filter(user_id=graph.user_id, graph_id=target_id, version=key[1])
            ).first()
            if target is None:
                continue
            found[key] = target
            frontier.append(target)
    return list(found.values())

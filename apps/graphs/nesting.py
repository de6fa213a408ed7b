"""Sub-graphs may not recurse: a graph never reaches itself through its Agent nodes, and nesting is bounded.

An Agent node runs the graph version it names in `graph_id`/`graph_version`, fixed
when its graph is saved (links into those pins are refused by validation). Stored
versions only name versions that existed before them, so the references form a
graph without cycles, except through the graph being saved (an update naming an
earlier version of itself) or rows written by other means; both are caught here,
on save and again when a run starts.

The walk goes level by level, one query per level, and keeps every version reached
at each level: a version reached by a long path and a short one counts at its
deepest, which is how deep a run would nest. It stops past `SUB_GRAPH_MAX_DEPTH`
levels, so it ends whatever the stored rows say.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings

from apps.graphs.models import Graph, Node
from apps.graphs.spec import AGENT_EXECUTOR_BLOCK_ID
from apps.graphs.validation import GraphValidationError

Reference = tuple[str, int]


def agent_reference(input_default: dict[str, Any]) -> Reference | None:
    """The `(graph id, version)` an Agent node's stored input names, if it names one."""
    graph_id, version = input_default.get("graph_id"), input_default.get("graph_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    try:
        return str(uuid.UUID(str(graph_id))), version
    except ValueError:
        return None


def _references_of(user_id: Any, graphs: set[Reference]) -> dict[Reference, set[Reference]]:
    """The references each of `graphs` holds in its Agent nodes (one query)."""
    if not graphs:
        return {}
    rows = Node.objects.filter(
        block_id=AGENT_EXECUTOR_BLOCK_ID,
        graph__user_id=user_id,
        graph__graph_id__in={uuid.UUID(graph_id) for graph_id, _ in graphs},
    ).values_list("graph__graph_id", "graph__version", "input_default")
    found: dict[Reference, set[Reference]] = defaultdict(set)
    for graph_id, version, input_default in rows:
        holder = (str(graph_id), version)
        if holder in graphs and (reference := agent_reference(input_default)) is not None:
            found[holder].add(reference)
    return found


def sub_graph_nesting_errors(*, user_id: Any, graph_id: str, agents: dict[str, Reference]) -> dict[str, dict[str, str]]:
    """`node_errors` for the Agent nodes (`{node id: reference}`) of graph `graph_id` whose sub-graphs recurse."""
    limit = settings.SUB_GRAPH_MAX_DEPTH
    errors: dict[str, dict[str, str]] = {}
    # Each version reached at this depth, with the Agent nodes of the root it was reached from.
    frontier: dict[Reference, set[str]] = defaultdict(set)
    for node_id, reference in agents.items():
        frontier[reference].add(node_id)
    depth = 1
    while frontier:
        for (reached, _), origins in frontier.items():
            if reached == graph_id:
                for node_id in origins:
                    errors[node_id] = {"graph_id": "The graph would run itself through its sub-graphs."}
        if depth > limit:
            for node_id in set().union(*frontier.values()):
                errors.setdefault(node_id, {})["graph_id"] = (
                    f"Sub-graphs are nested more than {limit} levels deep (SUB_GRAPH_MAX_DEPTH)."
                )
            break
        below = _references_of(user_id, {reference for reference in frontier if reference[0] != graph_id})
        next_frontier: dict[Reference, set[str]] = defaultdict(set)
        for holder, origins in frontier.items():
            for reference in below.get(holder, ()):
                next_frontier[reference] |= origins
        frontier, depth = next_frontier, depth + 1
    return errors


def graph_check_nesting(*, graph: Graph) -> None:
    """Raises `GraphValidationError` if the stored `graph` (nodes prefetched) would recurse through its sub-graphs."""
    agents = {
        str(node.id): reference
        for node in graph.nodes.all()
        if node.block_id == AGENT_EXECUTOR_BLOCK_ID and (reference := agent_reference(node.input_default)) is not None
    }
    errors = sub_graph_nesting_errors(user_id=graph.user_id, graph_id=str(graph.graph_id), agents=agents)
    if errors:
        raise GraphValidationError(errors)

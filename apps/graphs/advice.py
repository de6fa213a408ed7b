"""Advisory checks from the graph-design guidance: returned as `warnings`, never blocking a save."""

from __future__ import annotations

from typing import Any

from apps.blocks.base import BlockType
from apps.graphs.spec import GraphSpec, NodeSpec


def _warning(code: str, message: str, node_ids: list[str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "node_ids": node_ids or []}


def _is_failable(node: NodeSpec) -> bool:
    """Nodes that can fail for reasons outside the graph: outside calls with retries, sub-graphs, AI."""
    block = node.block
    return block is not None and (block.retry is not None or block.block_type in (BlockType.AGENT, BlockType.AI))


def _cycle_nodes(nodes: list[str], edges: dict[str, set[str]]) -> list[str]:
    """Nodes Kahn's algorithm cannot order: those on a cycle and those downstream of one."""
    indegree = dict.fromkeys(nodes, 0)
    for targets in edges.values():
        for target in targets:
            indegree[target] += 1
    ready = [node for node, degree in indegree.items() if degree == 0]
    while ready:
        node = ready.pop()
        for target in edges.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return [node for node, degree in indegree.items() if degree > 0]


def graph_warnings(spec: GraphSpec) -> list[dict[str, Any]]:
    runnable = [node for node in spec.nodes if node.block_type is not BlockType.NOTE]
    ids = {node.id for node in runnable}
    links = [link for link in spec.links if link.source_id in ids and link.sink_id in ids]
    has_inbound = {link.sink_id for link in links}
    has_outbound = {link.source_id for link in links}
    warnings = []
    if runnable and not any(node.id not in has_inbound or node.block_type is BlockType.INPUT for node in runnable):
        warnings.append(_warning("NO_ENTRY_NODE", "The graph has no entry node: every node waits for a link."))
    if runnable and not spec.nodes_of_type(BlockType.OUTPUT):
        warnings.append(_warning("NO_OUTPUT_NODE", "The graph has no Output node, so its runs have no outputs."))
    if len(runnable) > 1 and (isolated := [n.id for n in runnable if n.id not in has_inbound | has_outbound]):
        warnings.append(_warning("ISOLATED_NODES", "Some nodes are linked to nothing.", isolated))
    edges: dict[str, set[str]] = {}
    for link in links:
        edges.setdefault(link.source_id, set()).add(link.sink_id)
    if cyclic := _cycle_nodes(sorted(ids), edges):
        warnings.append(_warning("CYCLE", "The graph has a cycle; make sure it ends.", cyclic))
    error_linked = {link.source_id for link in links if link.source_name == "error"}
    if unhandled := [node.id for node in runnable if _is_failable(node) and node.id not in error_linked]:
        warnings.append(
            _warning("UNHANDLED_ERRORS", "Nodes that can fail have no link from their `error` pin.", unhandled)
        )
    return warnings

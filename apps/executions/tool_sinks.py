"""The nodes a decision maker's tool pins link to, as its block needs them to describe its tools.

An Agent node is described by the graph it runs (name, description): read once
per graph version, which never changes.
"""

from __future__ import annotations

from functools import lru_cache

from apps.blocks.base import BlockType
from apps.blocks.llm.tools import ToolSink
from apps.executions.compiled import CompiledGraph, CompiledNode
from apps.graphs.models import Graph
from apps.graphs.pins import is_tool_pin


def has_tool_links(node: CompiledNode) -> bool:
    return any(is_tool_pin(link.source_name) for link in node.output_links)


def tool_sinks(graph: CompiledGraph, node: CompiledNode) -> list[ToolSink]:
    """One entry per linked node, in link order, with the pins its tool links feed."""
    pins: dict[str, list[str]] = {}
    for link in node.output_links:
        if is_tool_pin(link.source_name) and link.sink_id in graph.nodes:
            pins.setdefault(link.sink_id, []).append(link.sink_name)
    sinks = []
    for sink_id, linked in pins.items():
        sink = graph.nodes[sink_id]
        name, description = "", ""
        if sink.block.block_type is BlockType.AGENT:
            reference = sink.input_default
            name, description = _graph_title(str(reference.get("graph_id")), reference.get("graph_version"))
        sinks.append(
            ToolSink(
                node_id=sink.id,
                block=sink.block,
                input_default=dict(sink.input_default),
                pins=tuple(dict.fromkeys(linked)),
                metadata=dict(sink.metadata),
                graph_name=name,
                graph_description=description,
            )
        )
    return sinks


@lru_cache(maxsize=1024)
def _graph_title(graph_id: str, version: object) -> tuple[str, str]:
    try:
        found = Graph.objects.filter(graph_id=graph_id, version=int(str(version))).values_list("name", "description")
        row = found.first()
    except (ValueError, TypeError):  # a node saved without a usable graph reference
        row = None
    return (row[0], row[1]) if row else ("", "")

"""The in-memory shape of a graph, whether posted by a client or read from the database.

Validation, advice and schema derivation work on this one shape, so a graph is
checked the same way on save (as posted, ids as posted) and on run (as stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apps.blocks.base import Block, BlockType
from apps.blocks.registry import get_block

if TYPE_CHECKING:
    from apps.graphs.models import Graph

AGENT_EXECUTOR_BLOCK_ID = "e189baac-8c20-45a1-94a7-55177ea42565"


@dataclass
class NodeSpec:
    id: str
    block_id: str
    input_default: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def block(self) -> Block | None:
        return get_block(self.block_id)

    @property
    def block_type(self) -> BlockType | None:
        block = self.block
        return None if block is None else block.block_type


@dataclass
class LinkSpec:
    source_id: str
    sink_id: str
    source_name: str
    sink_name: str
    is_static: bool = False
    id: str = ""


@dataclass
class GraphSpec:
    id: str = ""
    version: int = 1
    name: str = ""
    description: str = ""
    instructions: str = ""
    recommended_schedule_cron: str | None = None
    nodes: list[NodeSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    sub_graphs: list[GraphSpec] = field(default_factory=list)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> GraphSpec:
        """From the validated request data (see `api.serializers.GraphInput`)."""
        return cls(
            id=data.get("id") or "",
            version=data.get("version") or 1,
            name=data.get("name") or "",
            description=data.get("description") or "",
            instructions=data.get("instructions") or "",
            recommended_schedule_cron=data.get("recommended_schedule_cron"),
            nodes=[
                NodeSpec(
                    id=node["id"],
                    block_id=node["block_id"],
                    input_default=dict(node.get("input_default") or {}),
                    metadata=dict(node.get("metadata") or {}),
                )
                for node in data.get("nodes", [])
            ],
            links=[
                LinkSpec(
                    id=link.get("id") or "",
                    source_id=link["source_id"],
                    sink_id=link["sink_id"],
                    source_name=link["source_name"],
                    sink_name=link["sink_name"],
                    is_static=bool(link.get("is_static")),
                )
                for link in data.get("links", [])
            ],
            sub_graphs=[cls.from_payload(sub) for sub in data.get("sub_graphs", [])],
        )

    @classmethod
    def from_model(cls, graph: Graph) -> GraphSpec:
        """From a stored version; nodes and links should be prefetched."""
        return cls(
            id=str(graph.graph_id),
            version=graph.version,
            name=graph.name,
            description=graph.description,
            instructions=graph.instructions,
            recommended_schedule_cron=graph.recommended_schedule_cron,
            nodes=[
                NodeSpec(
                    id=str(node.id), block_id=node.block_id, input_default=node.input_default, metadata=node.metadata
                )
                for node in graph.nodes.all()
            ],
            links=[
                LinkSpec(
                    id=str(link.id),
                    source_id=str(link.source_id),
                    sink_id=str(link.sink_id),
                    source_name=link.source_name,
                    sink_name=link.sink_name,
                    is_static=link.is_static,
                )
                for link in graph.links.all()
            ],
        )

    @classmethod
    def from_model_nodes(cls, graph: Graph) -> GraphSpec:
        """Nodes only (e.g. a list whose prefetch holds just the Input/Output nodes)."""
        return cls(
            id=str(graph.graph_id),
            version=graph.version,
            nodes=[
                NodeSpec(id=str(n.id), block_id=n.block_id, input_default=n.input_default) for n in graph.nodes.all()
            ],
        )

    def nodes_of_type(self, block_type: BlockType) -> list[NodeSpec]:
        return [node for node in self.nodes if node.block_type is block_type]

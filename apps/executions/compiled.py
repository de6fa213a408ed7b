"""A graph version prepared for execution: blocks resolved, links indexed by node.

Graph versions never change once written, so each process keeps the compiled
form of the versions it runs (bounded LRU): a node execution needs no query to
know its block, defaults and links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from apps.blocks.base import Block, BlockType
from apps.blocks.registry import get_block
from apps.graphs.models import Graph
from apps.graphs.spec import GraphSpec, LinkSpec, NodeSpec


class BlockUnavailableError(LookupError):
    pass


@dataclass(frozen=True)
class CompiledNode:
    id: str
    block: Block
    input_default: dict[str, object]
    metadata: dict[str, object] = field(default_factory=dict)
    input_links: tuple[LinkSpec, ...] = ()
    output_links: tuple[LinkSpec, ...] = ()

    @property
    def linked_pins(self) -> frozenset[str]:
        """The pins an execution waits for until a value arrives (the block may wait for more)."""
        return frozenset(link.sink_name for link in self.input_links) - self.block.optional_links

    @property
    def static_links(self) -> tuple[LinkSpec, ...]:
        return tuple(link for link in self.input_links if link.is_static)

    @property
    def error_is_handled(self) -> bool:
        """A failure whose `error` output feeds a link is handled by the graph."""
        return any(link.source_name == "error" for link in self.output_links)


@dataclass(frozen=True)
class CompiledGraph:
    pk: int
    graph_id: str
    version: int
    nodes: dict[str, CompiledNode] = field(default_factory=dict)
    # Nodes with no inbound link, and Input nodes; never Notes (upstream's `starting_nodes`).
    starting_node_ids: frozenset[str] = frozenset()

    @cached_property
    def has_output_nodes(self) -> bool:
        return any(node.block.block_type is BlockType.OUTPUT for node in self.nodes.values())

    @property
    def starting_nodes(self) -> list[CompiledNode]:
        return [node for node in self.nodes.values() if node.id in self.starting_node_ids]


def _is_starting(node: CompiledNode) -> bool:
    return node.block.block_type is not BlockType.NOTE and (
        not node.input_links or node.block.block_type is BlockType.INPUT
    )


def _compile_node(node: NodeSpec, links: list[LinkSpec]) -> CompiledNode:
    block = get_block(node.block_id)
    if block is None:
        raise BlockUnavailableError(f"Invalid block {node.block_id} for node #{node.id}")
    return CompiledNode(
        id=node.id,
        block=block,
        input_default=node.input_default,
        metadata=node.metadata,
        input_links=tuple(link for link in links if link.sink_id == node.id),
        output_links=tuple(link for link in links if link.source_id == node.id),
    )


def compiled_graph(graph_id: object, version: int) -> CompiledGraph:
    """The compiled form of a graph version, keyed by its public id and version (never reused, unlike pks)."""
    return _compiled(str(graph_id), version)


@lru_cache(maxsize=256)
def _compiled(graph_id: str, version: int) -> CompiledGraph:
    graph = Graph.objects.prefetch_related("nodes", "links").get(graph_id=graph_id, version=version)
    spec = GraphSpec.from_model(graph)
    nodes = {node.id: _compile_node(node, spec.links) for node in spec.nodes}
    return CompiledGraph(
        pk=graph.pk,
        graph_id=str(graph.graph_id),
        version=graph.version,
        nodes=nodes,
        starting_node_ids=frozenset(node.id for node in nodes.values() if _is_starting(node)),
    )

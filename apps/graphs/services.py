"""Writes on graphs: create, update (a new version), activate a version, fork, delete."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max

from apps.accounts.models import User
from apps.blocks.base import BlockType
from apps.blocks.registry import get_block
from apps.core.exceptions import ApplicationError, NotFoundError
from apps.credentials.fields import references_only
from apps.graphs.io_schema import graph_input_schema, graph_output_schema
from apps.graphs.models import Graph, Link, Node
from apps.graphs.nesting import sub_graph_nesting_errors
from apps.graphs.spec import GraphSpec, NodeSpec
from apps.graphs.validation import GraphValidationError, graph_validate
from apps.library.services import library_agent_add, library_agents_follow_version, library_delete_for_graph
from apps.schedules.services import schedules_delete_for_graph
from apps.webhooks.services import webhooks_attach_graph, webhooks_detach_graphs


def _schema_keys(schema: Any) -> frozenset[str]:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return frozenset(properties) if isinstance(properties, dict) else frozenset()


class _SubGraphs:
    """The sub-graphs posted with a graph, indexed once so each Agent node finds its own in constant time."""

    def __init__(self, sub_graphs: list[GraphSpec]) -> None:
        self.all = sub_graphs
        self._by_id: dict[str, GraphSpec] = {}
        self._by_shape: dict[tuple[int, frozenset[str], frozenset[str]], list[GraphSpec]] = {}
        for sub in sub_graphs:
            if sub.id:
                self._by_id.setdefault(sub.id, sub)
            shape = (sub.version, _schema_keys(graph_input_schema(sub)), _schema_keys(graph_output_schema(sub)))
            self._by_shape.setdefault(shape, []).append(sub)

    def run_by(self, node: NodeSpec) -> GraphSpec | None:
        """The sub-graph an Agent node runs.

        By id when it matches; exported agents often reference the graph by an id
        that is not among their `sub_graphs`, so otherwise the one sub-graph with
        the node's version and the same input and output names.
        """
        by_id = self._by_id.get(str(node.input_default.get("graph_id", "")))
        if by_id is not None:
            return by_id
        version = node.input_default.get("graph_version")
        if not isinstance(version, int):
            return None
        shape = (
            version,
            _schema_keys(node.input_default.get("input_schema")),
            _schema_keys(node.input_default.get("output_schema")),
        )
        candidates = self._by_shape.get(shape, [])
        return candidates[0] if len(candidates) == 1 else None

    def in_dependency_order(self) -> list[GraphSpec]:
        """Every sub-graph after the sub-graphs it runs (Kahn's algorithm); a cycle is refused."""
        runs = {
            id(sub): {
                id(match) for node in sub.nodes if node.block_type is BlockType.AGENT and (match := self.run_by(node))
            }
            for sub in self.all
        }
        waiting = {id(sub): len(runs[id(sub)]) for sub in self.all}
        run_by: dict[int, list[GraphSpec]] = {}
        for sub in self.all:
            for dependency in runs[id(sub)]:
                run_by.setdefault(dependency, []).append(sub)
        ready = [sub for sub in self.all if waiting[id(sub)] == 0]
        ordered: list[GraphSpec] = []
        while ready:
            sub = ready.pop()
            ordered.append(sub)
            for dependent in run_by.get(id(sub), []):
                waiting[id(dependent)] -= 1
                if waiting[id(dependent)] == 0:
                    ready.append(dependent)
        if len(ordered) != len(self.all):
            raise ApplicationError("Sub-graphs run each other in a cycle.", code="SUB_GRAPH_CYCLE")
        return ordered


def _agent_references(
    user: User, spec: GraphSpec, sub_graphs: _SubGraphs, written: dict[int, Graph]
) -> dict[str, Graph]:
    """For each Agent node of `spec`: the stored graph version it runs (a posted sub-graph or one of the user's)."""
    resolved: dict[str, Graph] = {}
    errors: dict[str, dict[str, str]] = {}
    for node in spec.nodes:
        if node.block_type is not BlockType.AGENT:
            continue
        sub = sub_graphs.run_by(node)
        if sub is not None:
            resolved[node.id] = written[id(sub)]
            continue
        target = _existing_graph(user, node.input_default.get("graph_id"), node.input_default.get("graph_version"))
        if target is None:
            errors[node.id] = {"graph_id": f"Graph #{node.input_default.get('graph_id')} not found."}
        else:
            resolved[node.id] = target
    if errors:
        raise GraphValidationError(errors)
    return resolved


def _existing_graph(user: User, graph_id: Any, version: Any) -> Graph | None:
    try:
        public_id = uuid.UUID(str(graph_id))
    except ValueError:
        return None
    versions = Graph.objects.filter(user=user, graph_id=public_id)
    if isinstance(version, int):
        return versions.filter(version=version).first()
    return versions.filter(is_active=True).first()


def _write_version(
    *,
    user: User,
    spec: GraphSpec,
    graph_id: uuid.UUID,
    version: int,
    agents: dict[str, Graph],
    forked_from: Graph | None = None,
) -> Graph:
    graph = Graph.objects.create(
        graph_id=graph_id,
        version=version,
        user=user,
        name=spec.name,
        description=spec.description,
        instructions=spec.instructions,
        recommended_schedule_cron=spec.recommended_schedule_cron or "",
        is_active=True,
        forked_from_id=forked_from.graph_id if forked_from else None,
        forked_from_version=forked_from.version if forked_from else None,
    )
    node_ids: dict[str, uuid.UUID] = {}
    nodes = []
    for position, node in enumerate(spec.nodes):
        node_ids[node.id] = uuid.uuid4()
        input_default = references_only(node.input_default)
        if node.id in agents:
            target = agents[node.id]
            input_default.update(graph_id=str(target.graph_id), graph_version=target.version, user_id=str(user.pk))
        nodes.append(
            Node(
                id=node_ids[node.id],
                graph=graph,
                block_id=node.block_id,
                input_default=input_default,
                metadata=node.metadata,
                position=position,
            )
        )
    Node.objects.bulk_create(nodes)
    blocks = {node.id: get_block(node.block_id) for node in spec.nodes}
    Link.objects.bulk_create(
        Link(
            graph=graph,
            source_id=node_ids[link.source_id],
            sink_id=node_ids[link.sink_id],
            source_name=link.source_name,
            sink_name=link.sink_name,
            # Upstream: a link out of a static-output block is always static.
            is_static=link.is_static or bool((block := blocks[link.source_id]) and block.static_output),
            position=position,
        )
        for position, link in enumerate(spec.links)
    )
    return graph


def _write_sub_graphs(user: User, sub_graphs: _SubGraphs) -> dict[int, Graph]:
    """Sub-graphs become graphs of their own (a new version of the user's graph with that id, else a new graph).

    They may run each other, so each is written after the sub-graphs it runs.
    """
    written: dict[int, Graph] = {}
    for sub in sub_graphs.in_dependency_order():
        existing = _existing_graph(user, sub.id, None)
        if existing is None:
            graph_id, version = uuid.uuid4(), 1
        else:
            graph_id, version = existing.graph_id, _next_version(user, existing.graph_id)
            Graph.objects.filter(graph_id=graph_id, is_active=True).update(is_active=False)
        agents = _agent_references(user, sub, sub_graphs, written)
        written[id(sub)] = _write_version(user=user, spec=sub, graph_id=graph_id, version=version, agents=agents)
        if existing is None:
            library_agent_add(user=user, graph=written[id(sub)])
        else:
            library_agents_follow_version(user=user, graph=written[id(sub)])
    return written


def _resolve_agents(user: User, spec: GraphSpec, graph_id: uuid.UUID) -> dict[str, Graph]:
    """Writes the posted sub-graphs; the graph each Agent node of `spec` runs, refused if they would recurse."""
    sub_graphs = _SubGraphs(spec.sub_graphs)
    written = _write_sub_graphs(user, sub_graphs)
    agents = _agent_references(user, spec, sub_graphs, written)
    references = {node_id: (str(target.graph_id), target.version) for node_id, target in agents.items()}
    errors = sub_graph_nesting_errors(user_id=user.pk, graph_id=str(graph_id), agents=references)
    if errors:
        raise GraphValidationError(errors)
    return agents


def _next_version(user: User, graph_id: uuid.UUID) -> int:
    # Locking every version serialises concurrent updates of one graph.
    versions = Graph.objects.select_for_update().filter(user=user, graph_id=graph_id)
    if not versions.exists():
        raise NotFoundError(f"Graph #{graph_id} not found.")
    return int(versions.aggregate(latest=Max("version"))["latest"]) + 1


@transaction.atomic
def graph_create(*, user: User, spec: GraphSpec) -> Graph:
    """Version 1 of a new graph, in the user's library; every id (graph, nodes, links, sub-graphs) is fresh."""
    graph_validate(spec, for_run=False)
    graph_id = uuid.uuid4()
    agents = _resolve_agents(user, spec, graph_id)
    graph = _write_version(user=user, spec=spec, graph_id=graph_id, version=1, agents=agents)
    library_agent_add(user=user, graph=graph)
    webhooks_attach_graph(graph=graph)
    return graph


@transaction.atomic
def graph_fork(*, user: User, source: Graph) -> Graph:
    """A copy of one version as version 1 of a new graph of the user's, named as a copy and in their library."""
    spec = GraphSpec.from_model(source)
    spec = dataclasses.replace(spec, name=f"{source.name} (copy)" if source.name else "")
    graph = _write_version(user=user, spec=spec, graph_id=uuid.uuid4(), version=1, agents={}, forked_from=source)
    library_agent_add(user=user, graph=graph)
    webhooks_attach_graph(graph=graph)
    return graph


@transaction.atomic
def graph_update(*, user: User, graph_id: uuid.UUID, spec: GraphSpec) -> Graph:
    """A new version of the graph, which becomes the active one."""
    if spec.id and spec.id != str(graph_id):
        raise ApplicationError("Graph ID does not match ID in URI", code="GRAPH_ID_MISMATCH")
    version = _next_version(user, graph_id)
    graph_validate(spec, for_run=False)
    agents = _resolve_agents(user, spec, graph_id)
    previous = list(Graph.objects.filter(graph_id=graph_id, is_active=True))
    Graph.objects.filter(graph_id=graph_id, is_active=True).update(is_active=False)
    graph = _write_version(user=user, spec=spec, graph_id=graph_id, version=version, agents=agents)
    library_agents_follow_version(user=user, graph=graph)
    # Attach first: a manual webhook passes from the old version's node to the new one's, keeping its URL.
    webhooks_attach_graph(graph=graph)
    webhooks_detach_graphs(graphs=previous)
    return graph


@transaction.atomic
def graph_set_active_version(*, user: User, graph_id: uuid.UUID, version: int) -> Graph:
    versions = Graph.objects.select_for_update().filter(user=user, graph_id=graph_id)
    target = versions.filter(version=version).first()
    if target is None:
        raise NotFoundError(f"Graph #{graph_id} v{version} not found.")
    previous = list(versions.filter(is_active=True).exclude(pk=target.pk))
    # Deactivate first: the one-active-version constraint is checked per statement.
    versions.filter(is_active=True).exclude(pk=target.pk).update(is_active=False)
    if not target.is_active:
        target.is_active = True
        target.save(update_fields=["is_active", "updated_at"])
    library_agents_follow_version(user=user, graph=target)
    webhooks_attach_graph(graph=target)
    webhooks_detach_graphs(graphs=previous)
    return target


@transaction.atomic
def graph_delete(*, user: User, graph_id: uuid.UUID) -> int:
    """Deletes every version, the graph's schedules and library entry; returns how many versions there were."""
    versions = Graph.objects.filter(user=user, graph_id=graph_id)
    count = versions.count()
    if count == 0:
        raise NotFoundError(f"Graph #{graph_id} not found.")
    schedules_delete_for_graph(user=user, graph_id=graph_id)
    library_delete_for_graph(user=user, graph_id=graph_id)
    webhooks_detach_graphs(graphs=list(versions))
    versions.delete()
    return count

"""Reads on the library and presets. Someone else's entry or preset is indistinguishable from a missing one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.executions.models import ExecutionStatus, GraphExecution
from apps.graphs.models import Graph
from apps.graphs.selectors import graph_sub_graphs
from apps.library.exceptions import LibraryAgentNotFoundError, PresetNotFoundError
from apps.library.models import AgentPreset, LibraryAgent
from apps.webhooks.models import Webhook

# Upstream: runs newer than this make an agent's `status` and `new_output`.
RECENT_RUNS = timedelta(days=7)
SORT_FIELDS = {"createdAt": "-created_at", "updatedAt": "-updated_at"}


def presets_for_user(*, user: User, graph_id: uuid.UUID | None = None) -> QuerySet[AgentPreset]:
    presets = AgentPreset.objects.filter(user=user, is_deleted=False).order_by("-created_at", "id")
    return presets if graph_id is None else presets.filter(graph_id=graph_id)


def preset_webhooks(*, presets: list[AgentPreset]) -> dict[uuid.UUID, Webhook]:
    """The webhooks of presets set up as triggers, by id, in one query."""
    ids = {preset.webhook_id for preset in presets if preset.webhook_id is not None}
    return {webhook.id: webhook for webhook in Webhook.objects.filter(pk__in=ids)} if ids else {}


def preset_get_for_user(*, user: User, preset_id: uuid.UUID) -> AgentPreset:
    preset = AgentPreset.objects.filter(user=user, pk=preset_id, is_deleted=False).first()
    if preset is None:
        raise PresetNotFoundError(preset_id)
    return preset


def library_agents_for_user(
    *, user: User, search_term: str | None = None, sort_by: str = "updatedAt", favorites_only: bool = False
) -> QuerySet[LibraryAgent]:
    """Entries neither deleted nor archived; the search looks at the graph's name and description."""
    agents = LibraryAgent.objects.filter(user=user, is_deleted=False, is_archived=False)
    if favorites_only:
        agents = agents.filter(is_favorite=True)
    if search_term:
        matching = Graph.objects.filter(graph_id=OuterRef("graph_id"), version=OuterRef("graph_version")).filter(
            Q(name__icontains=search_term) | Q(description__icontains=search_term)
        )
        agents = agents.filter(Exists(matching))
    return agents.order_by(SORT_FIELDS[sort_by], "id")


def library_agent_get_for_user(*, user: User, library_agent_id: uuid.UUID) -> LibraryAgent:
    agent = LibraryAgent.objects.filter(user=user, pk=library_agent_id, is_deleted=False).first()
    if agent is None:
        raise LibraryAgentNotFoundError(library_agent_id)
    return agent


def library_agent_for_graph(*, user: User, graph_id: uuid.UUID, version: int | None = None) -> LibraryAgent:
    agents = LibraryAgent.objects.filter(user=user, graph_id=graph_id, is_deleted=False)
    if version is not None:
        agents = agents.filter(graph_version=version)
    agent = agents.first()
    if agent is None:
        raise LibraryAgentNotFoundError(f"for graph #{graph_id}" + (f" v{version}" if version is not None else ""))
    return agent


@dataclass(frozen=True)
class LibraryAgentView:
    """An entry with what its JSON shows: its graph version and the status of its recent runs."""

    agent: LibraryAgent
    graph: Graph
    status: str
    new_output: bool
    is_latest_version: bool
    sub_graphs: list[Graph] | None = None


def _status(statuses: list[str]) -> str:
    if ExecutionStatus.FAILED in statuses:
        return "ERROR"
    if ExecutionStatus.QUEUED in statuses:
        return "WAITING"
    if ExecutionStatus.RUNNING in statuses:
        return "HEALTHY"
    return "COMPLETED"


def library_agent_views(
    *, agents: list[LibraryAgent], with_sub_graphs: bool = False, now: datetime | None = None
) -> list[LibraryAgentView]:
    """Each entry with its graph (nodes prefetched) and recent runs, in a fixed number of queries.

    An entry whose graph version is gone (deleted under it) is left out.
    """
    if not agents:
        return []
    keys = Q()
    for agent in agents:
        keys |= Q(graph_id=agent.graph_id, version=agent.graph_version)
    graphs = {(g.graph_id, g.version): g for g in Graph.objects.filter(keys).prefetch_related("nodes", "links")}
    latest: dict[uuid.UUID, int] = {}
    for graph_id, version in Graph.objects.filter(graph_id__in=[a.graph_id for a in agents]).values_list(
        "graph_id", "version"
    ):
        latest[graph_id] = max(version, latest.get(graph_id, 0))
    since = (now or timezone.now()) - RECENT_RUNS
    runs: dict[Any, list[tuple[str, bool]]] = {}
    recent = GraphExecution.objects.filter(
        graph_id__in=[g.pk for g in graphs.values()], user_id=agents[0].user_id, is_deleted=False, created_at__gte=since
    ).values_list("graph_id", "status")
    for graph_pk, status in recent:
        runs.setdefault(graph_pk, []).append((status, status == ExecutionStatus.COMPLETED))
    views = []
    for agent in agents:
        graph = graphs.get((agent.graph_id, agent.graph_version))
        if graph is None:
            continue
        graph_runs = runs.get(graph.pk, [])
        views.append(
            LibraryAgentView(
                agent=agent,
                graph=graph,
                status=_status([status for status, _ in graph_runs]),
                new_output=any(done for _, done in graph_runs),
                is_latest_version=agent.graph_version >= latest.get(agent.graph_id, 0),
                sub_graphs=graph_sub_graphs(graph=graph) if with_sub_graphs else None,
            )
        )
    return views

"""Writes on the library (entries follow the user's graphs) and on presets (saved inputs, run on demand)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.blocks.registry import get_block
from apps.core.exceptions import NotFoundError
from apps.core.jsonsafe import json_safe
from apps.credentials.graph_inputs import node_credentials_input_map
from apps.executions.models import GraphExecution
from apps.executions.selectors import run_get_for_user
from apps.executions.services import execution_start
from apps.graphs.io_schema import graph_trigger_node
from apps.graphs.models import Graph
from apps.graphs.selectors import graph_get_for_user
from apps.graphs.spec import GraphSpec
from apps.library.exceptions import (
    PresetGraphGoneError,
    PresetInputsIncompleteError,
    PresetNotTriggerableError,
    PresetTriggerIncompleteError,
)
from apps.library.models import AgentPreset, LibraryAgent
from apps.webhooks.models import Webhook
from apps.webhooks.services import webhook_for_trigger, webhook_prune_if_dangling

# --- library ---------------------------------------------------------------------------


def library_agent_add(*, user: User, graph: Graph) -> LibraryAgent:
    """The user's entry for a graph they have just created or imported."""
    return LibraryAgent.objects.create(user=user, graph_id=graph.graph_id, graph_version=graph.version)


def library_agents_follow_version(*, user: User, graph: Graph) -> None:
    """A graph's active version changed: entries that auto-update move to it."""
    LibraryAgent.objects.filter(user=user, graph_id=graph.graph_id, auto_update_version=True).exclude(
        graph_version=graph.version
    ).update(graph_version=graph.version)


def library_agent_update(
    *,
    agent: LibraryAgent,
    auto_update_version: bool | None = None,
    is_favorite: bool | None = None,
    is_archived: bool | None = None,
) -> LibraryAgent:
    changes = {
        name: value
        for name, value in (
            ("auto_update_version", auto_update_version),
            ("is_favorite", is_favorite),
            ("is_archived", is_archived),
        )
        if value is not None
    }
    for name, value in changes.items():
        setattr(agent, name, value)
    if changes:
        agent.save(update_fields=[*changes, "updated_at"])
    return agent


def library_agent_delete(*, agent: LibraryAgent) -> None:
    LibraryAgent.objects.filter(pk=agent.pk).update(is_deleted=True)


def library_delete_for_graph(*, user: User, graph_id: uuid.UUID) -> None:
    """Called when a graph is deleted: its entry goes, and its presets can no longer run (nor hold webhooks)."""
    LibraryAgent.objects.filter(user=user, graph_id=graph_id).delete()
    presets = AgentPreset.objects.filter(user=user, graph_id=graph_id)
    webhook_ids = {pk for pk in presets.values_list("webhook_id", flat=True) if pk is not None}
    presets.update(is_deleted=True, is_active=False)
    _prune_webhooks(webhook_ids)


def _prune_webhooks(webhook_ids: set[uuid.UUID]) -> None:
    for webhook in Webhook.objects.filter(pk__in=webhook_ids):
        webhook_prune_if_dangling(webhook=webhook)


# --- presets ---------------------------------------------------------------------------


def preset_create(
    *,
    user: User,
    graph_id: uuid.UUID,
    graph_version: int,
    name: str,
    description: str,
    inputs: dict[str, Any],
    credentials_inputs: dict[str, Any],
    is_active: bool = True,
    webhook_id: uuid.UUID | None = None,
) -> AgentPreset:
    graph = graph_get_for_user(user=user, graph_id=graph_id, version=graph_version)
    return AgentPreset.objects.create(
        user=user,
        graph_id=graph.graph_id,
        graph_version=graph.version,
        name=name,
        description=description,
        is_active=is_active,
        inputs=json_safe(inputs),
        credentials_inputs=json_safe(credentials_inputs),
        webhook_id=webhook_id,
    )


def preset_create_from_run(
    *, user: User, run_id: uuid.UUID, name: str, description: str, is_active: bool = True
) -> AgentPreset:
    """A preset holding a run's graph version, inputs and credentials references."""
    run = run_get_for_user(user=user, run_id=run_id)
    return preset_create(
        user=user,
        graph_id=run.graph_public_id,
        graph_version=run.graph_version,
        name=name,
        description=description,
        inputs=run.inputs,
        credentials_inputs=run.credential_inputs,
        is_active=is_active,
    )


def preset_update(
    *,
    preset: AgentPreset,
    name: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    inputs: dict[str, Any] | None = None,
    credentials_inputs: dict[str, Any] | None = None,
) -> AgentPreset:
    """Changes what is given; inputs and credentials replace the stored ones, and only together (as upstream)."""
    if (inputs is None) != (credentials_inputs is None):
        raise PresetInputsIncompleteError()
    changes: dict[str, Any] = {
        name_: value
        for name_, value in (("name", name), ("description", description), ("is_active", is_active))
        if value is not None
    }
    if inputs is not None and credentials_inputs is not None:
        changes.update(inputs=json_safe(inputs), credentials_inputs=json_safe(credentials_inputs))
    for field, value in changes.items():
        setattr(preset, field, value)
    preset.save(update_fields=[*changes, "updated_at"])
    return preset


@transaction.atomic
def preset_delete(*, preset: AgentPreset) -> None:
    """Soft-deletes the preset; a webhook only it held goes too (and at the provider, once committed)."""
    AgentPreset.objects.filter(pk=preset.pk).update(is_deleted=True)
    if preset.webhook_id is not None:
        _prune_webhooks({preset.webhook_id})


@transaction.atomic
def preset_setup_trigger(
    *,
    user: User,
    graph_id: uuid.UUID,
    graph_version: int,
    name: str,
    description: str,
    trigger_config: dict[str, Any],
    agent_credentials: dict[str, Any],
) -> AgentPreset:
    """A preset that runs its graph on each delivery to a webhook of its own, set up from the trigger's inputs.

    The webhook is registered at the provider (automatic webhooks) inside this transaction:
    a refusal saves nothing, and a preset never exists without its webhook.
    """
    try:
        graph = graph_get_for_user(user=user, graph_id=graph_id, version=graph_version)
    except NotFoundError as error:
        raise PresetGraphGoneError(graph_id) from error
    spec = GraphSpec.from_model(graph)
    trigger = graph_trigger_node(spec)
    block = get_block(trigger.block_id) if trigger else None
    if trigger is None or block is None:
        raise PresetNotTriggerableError(graph_id)
    credentials = node_credentials_input_map([spec], agent_credentials).get(trigger.id, {})
    webhook = webhook_for_trigger(user=user, block=block, inputs={**trigger_config, **credentials})
    if webhook is None:
        raise PresetTriggerIncompleteError()
    return preset_create(
        user=user,
        graph_id=graph.graph_id,
        graph_version=graph.version,
        name=name,
        description=description,
        inputs=trigger_config,
        credentials_inputs=agent_credentials,
        webhook_id=webhook.id,
    )


def preset_execute(
    *,
    user: User,
    preset: AgentPreset,
    inputs: dict[str, Any],
    credentials_inputs: dict[str, Any],
    idempotency_key: str | None = None,
) -> GraphExecution:
    """Runs the preset's graph version with its inputs and credentials, each overlaid by the request's."""
    graph = graph_get_for_user(user=user, graph_id=preset.graph_id, version=preset.graph_version)
    return execution_start(
        user=user,
        graph=graph,
        inputs={**preset.inputs, **inputs},
        credentials_inputs={**preset.credentials_inputs, **credentials_inputs},
        idempotency_key=idempotency_key,
        preset_id=preset.id,
    )

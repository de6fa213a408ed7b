"""The library and presets on the wire: upstream's `LibraryAgent` and `LibraryAgentPreset` shapes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.pagination import PageQuery
from apps.credentials.api.serializers import CredentialsMetaInput
from apps.graphs.api.serializers import graph_meta_json
from apps.graphs.spec import GraphSpec
from apps.library.models import AgentPreset
from apps.library.selectors import SORT_FIELDS, LibraryAgentView
from apps.webhooks.models import Webhook
from apps.webhooks.serialization import webhook_json

# --- presets ---------------------------------------------------------------------------


class PresetQuery(PageQuery):
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=10)
    graph_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class PresetCreateInput(serializers.Serializer):
    """`LibraryAgentPresetCreatable`."""

    graph_id = serializers.UUIDField()
    graph_version = serializers.IntegerField(min_value=1)
    inputs = serializers.DictField()
    credentials = serializers.DictField(child=CredentialsMetaInput())
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField(default=True)
    webhook_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class PresetSetupTriggerInput(serializers.Serializer):
    """`TriggeredPresetSetupRequest`."""

    name = serializers.CharField(max_length=255)
    description = serializers.CharField(allow_blank=True, default="")
    graph_id = serializers.UUIDField()
    graph_version = serializers.IntegerField(min_value=1)
    trigger_config = serializers.DictField()
    agent_credentials = serializers.DictField(child=CredentialsMetaInput(), default=dict)


class PresetFromRunInput(serializers.Serializer):
    """`LibraryAgentPresetCreatableFromGraphExecution`."""

    graph_execution_id = serializers.UUIDField()
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField(default=True)


class PresetUpdateInput(serializers.Serializer):
    """`LibraryAgentPresetUpdatable`: every field optional, null meaning "unchanged"."""

    inputs = serializers.DictField(required=False, allow_null=True, default=None)
    credentials = serializers.DictField(child=CredentialsMetaInput(), required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=255, required=False, allow_null=True, default=None)
    description = serializers.CharField(allow_blank=True, required=False, allow_null=True, default=None)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class PresetExecuteInput(serializers.Serializer):
    inputs = serializers.DictField(required=False, default=dict)
    credential_inputs = serializers.DictField(child=CredentialsMetaInput(), required=False, default=dict)


class PresetOutput(serializers.Serializer):
    """`LibraryAgentPreset`; `webhook` is upstream's `Webhook` for presets set up as triggers, else null."""

    id = serializers.CharField()
    user_id = serializers.CharField()
    graph_id = serializers.CharField()
    graph_version = serializers.IntegerField()
    inputs = serializers.DictField()
    credentials = serializers.DictField(child=CredentialsMetaInput())
    name = serializers.CharField()
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    webhook_id = serializers.CharField(allow_null=True)
    webhook = serializers.DictField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def preset_json(preset: AgentPreset, webhook: Webhook | None = None) -> dict[str, Any]:
    return {
        "id": str(preset.id),
        "user_id": str(preset.user_id),
        "graph_id": str(preset.graph_id),
        "graph_version": preset.graph_version,
        "inputs": preset.inputs,
        "credentials": preset.credentials_inputs,
        "name": preset.name,
        "description": preset.description,
        "is_active": preset.is_active,
        "webhook_id": str(preset.webhook_id) if preset.webhook_id else None,
        "webhook": webhook_json(webhook) if webhook is not None else None,
        "created_at": preset.created_at.isoformat(),
        "updated_at": preset.updated_at.isoformat(),
    }


class PresetListOutput(serializers.Serializer):
    presets = PresetOutput(many=True)
    pagination = serializers.DictField()


# --- library agents --------------------------------------------------------------------


class LibraryAgentQuery(PageQuery):
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=15)
    search_term = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    sort_by = serializers.ChoiceField(choices=list(SORT_FIELDS), default="updatedAt")


class FavoritesQuery(PageQuery):
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=15)


class ByGraphQuery(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class LibraryAgentUpdateInput(serializers.Serializer):
    """`LibraryAgentUpdateRequest`: null or absent leaves a flag as it is."""

    auto_update_version = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_favorite = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_archived = serializers.BooleanField(required=False, allow_null=True, default=None)


class LibraryAgentOutput(serializers.Serializer):
    """`LibraryAgent`."""

    id = serializers.CharField()
    graph_id = serializers.CharField()
    graph_version = serializers.IntegerField()
    image_url = serializers.CharField(allow_null=True)
    creator_name = serializers.CharField()
    creator_image_url = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["COMPLETED", "HEALTHY", "WAITING", "ERROR"])
    updated_at = serializers.DateTimeField()
    name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    instructions = serializers.CharField(allow_null=True)
    input_schema = serializers.DictField()
    output_schema = serializers.DictField()
    credentials_input_schema = serializers.DictField(allow_null=True)
    has_external_trigger = serializers.BooleanField()
    trigger_setup_info = serializers.DictField(allow_null=True)
    new_output = serializers.BooleanField()
    can_access_graph = serializers.BooleanField()
    is_latest_version = serializers.BooleanField()
    is_favorite = serializers.BooleanField()
    recommended_schedule_cron = serializers.CharField(allow_null=True)


def library_agent_json(view: LibraryAgentView) -> dict[str, Any]:
    agent, graph = view.agent, view.graph
    sub_specs = [GraphSpec.from_model(sub) for sub in view.sub_graphs or []]
    meta = graph_meta_json(graph, GraphSpec.from_model(graph), sub_specs=sub_specs)
    return {
        "id": str(agent.id),
        "graph_id": str(agent.graph_id),
        "graph_version": agent.graph_version,
        "image_url": agent.image_url or None,
        # Upstream names a creator only for agents added from its store.
        "creator_name": "Unknown",
        "creator_image_url": "",
        "status": view.status,
        "updated_at": max(agent.updated_at, graph.updated_at).isoformat(),
        "name": graph.name,
        "description": graph.description,
        "instructions": meta["instructions"],
        "input_schema": meta["input_schema"],
        "output_schema": meta["output_schema"],
        "credentials_input_schema": meta["credentials_input_schema"],
        "has_external_trigger": meta["has_external_trigger"],
        "trigger_setup_info": meta["trigger_setup_info"],
        "new_output": view.new_output,
        "can_access_graph": graph.user_id == agent.user_id,
        "is_latest_version": view.is_latest_version,
        "is_favorite": agent.is_favorite,
        "recommended_schedule_cron": meta["recommended_schedule_cron"],
    }


class LibraryAgentListOutput(serializers.Serializer):
    agents = LibraryAgentOutput(many=True)
    pagination = serializers.DictField()

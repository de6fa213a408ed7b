"""Request shapes (DRF serializers) and upstream's graph JSON (plain functions, for speed on big graphs)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django.conf import settings
from rest_framework import serializers

from apps.blocks.base import BlockType
from apps.credentials.graph_inputs import credentials_input_schema
from apps.graphs.advice import graph_warnings
from apps.graphs.io_schema import graph_input_schema, graph_output_schema, graph_trigger_info
from apps.graphs.models import Graph
from apps.graphs.spec import GraphSpec, NodeSpec
from apps.graphs.validation import is_credentials_field
from apps.webhooks.models import Webhook
from apps.webhooks.serialization import webhook_json

# Versions are stored as 32-bit integers.
MAX_VERSION = 2**31 - 1


class LinkInput(serializers.Serializer):
    id = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    source_id = serializers.CharField(max_length=64)
    sink_id = serializers.CharField(max_length=64)
    source_name = serializers.CharField(max_length=255)
    sink_name = serializers.CharField(max_length=255)
    is_static = serializers.BooleanField(default=False)


class NodeInput(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=64)
    block_id = serializers.CharField(max_length=64)
    input_default = serializers.DictField(required=False, allow_null=True, default=dict)
    metadata = serializers.DictField(required=False, allow_null=True, default=dict)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("id", str(uuid.uuid4()))
        return attrs


class GraphBodyInput(serializers.Serializer):
    id = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_VERSION)
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255, default="")
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    instructions = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    recommended_schedule_cron = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    nodes = NodeInput(many=True, required=False, default=list)
    links = LinkInput(many=True, required=False, default=list)

    # Counted before any item is validated: validating items costs far more than counting them.
    limits = {"nodes": "GRAPH_MAX_NODES", "links": "GRAPH_MAX_LINKS"}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            for field_name, setting in self.limits.items():
                items, limit = data.get(field_name), getattr(settings, setting)
                if isinstance(items, list) and len(items) > limit:
                    raise serializers.ValidationError(
                        {field_name: [f"At most {limit} {field_name} are allowed ({setting}); got {len(items)}."]}
                    )
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        ids = [node["id"] for node in attrs["nodes"]]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError({"nodes": ["Node ids must be unique within a graph."]})
        return attrs


class GraphInput(GraphBodyInput):
    limits = {**GraphBodyInput.limits, "sub_graphs": "GRAPH_MAX_SUB_GRAPHS"}

    sub_graphs = GraphBodyInput(many=True, required=False, default=list)


class CreateGraphInput(serializers.Serializer):
    graph = GraphInput()
    # A field named like `Field.source`: DRF's metaclass takes it out of the class, mypy cannot know.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["builder", "upload"], required=False, allow_null=True
    )


class SetActiveVersionInput(serializers.Serializer):
    active_graph_version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class GraphQuery(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)
    for_export = serializers.BooleanField(required=False, default=False)


def _exported_input_default(node: NodeSpec) -> dict[str, Any]:
    """Without credentials, secret fields, secret Input values and the owner's id."""
    block = node.block
    secret_fields = set()
    if block is not None:
        properties = block.Input.jsonschema().get("properties", {})
        secret_fields = {name for name, prop in properties.items() if prop.get("secret")}
    cleaned = {
        name: value
        for name, value in copy.deepcopy(node.input_default).items()
        if not is_credentials_field(name) and name not in secret_fields and name != "user_id"
    }
    if node.block_type is BlockType.INPUT and node.input_default.get("secret"):
        cleaned.pop("value", None)
    return cleaned


def _node_json(
    graph: Graph, node: NodeSpec, links: list[dict[str, Any]], for_export: bool, webhook: Webhook | None
) -> dict[str, Any]:
    exported = for_export or webhook is None
    return {
        "id": node.id,
        "block_id": node.block_id,
        "input_default": _exported_input_default(node) if for_export else node.input_default,
        "metadata": node.metadata,
        "input_links": [link for link in links if link["sink_id"] == node.id],
        "output_links": [link for link in links if link["source_id"] == node.id],
        "graph_id": str(graph.graph_id),
        "graph_version": graph.version,
        "webhook_id": None if exported else str(webhook.id),  # type: ignore[union-attr]
        "webhook": None if exported else webhook_json(webhook),  # type: ignore[arg-type]
    }


def _node_webhooks(graph: Graph) -> dict[str, Webhook]:
    """The webhook of each trigger node holding one, in one query (none for graphs without triggers)."""
    held = {str(node.id): node.webhook_id for node in graph.nodes.all() if node.webhook_id}
    if not held:
        return {}
    webhooks = Webhook.objects.in_bulk(set(held.values()))
    return {node_id: webhooks[webhook_id] for node_id, webhook_id in held.items() if webhook_id in webhooks}


def graph_meta_json(
    graph: Graph, spec: GraphSpec, *, sub_specs: list[GraphSpec] | None = None, for_export: bool = False
) -> dict[str, Any]:
    """The graph's metadata; its credentials inputs cover `sub_specs` too (a list passes none, as upstream's)."""
    meta = {
        "id": str(graph.graph_id),
        "version": graph.version,
        "is_active": graph.is_active,
        "name": graph.name,
        "description": graph.description,
        "instructions": graph.instructions or None,
        "recommended_schedule_cron": graph.recommended_schedule_cron or None,
        "forked_from_id": str(graph.forked_from_id) if graph.forked_from_id else None,
        "forked_from_version": graph.forked_from_version,
        # Upstream's `GraphMeta` declares them; only a full graph (`graph_json`) fills them in.
        "sub_graphs": [],
        "user_id": str(graph.user_id),
        "created_at": graph.created_at,
        "updated_at": graph.updated_at,
        "input_schema": graph_input_schema(spec),
        "output_schema": graph_output_schema(spec),
        "has_external_trigger": (trigger_setup_info := graph_trigger_info(spec)) is not None,
        "trigger_setup_info": trigger_setup_info,
        "credentials_input_schema": credentials_input_schema(graph_name=graph.name, specs=[spec, *(sub_specs or [])]),
    }
    if for_export:
        meta["user_id"] = ""  # whose graph it was stays here; upstream's shape keeps the field
    return meta


def graph_json(
    graph: Graph, *, sub_graphs: list[Graph] | None = None, for_export: bool = False, with_warnings: bool = True
) -> dict[str, Any]:
    spec = GraphSpec.from_model(graph)
    links = [
        {
            "id": link.id,
            "source_id": link.source_id,
            "sink_id": link.sink_id,
            "source_name": link.source_name,
            "sink_name": link.sink_name,
            "is_static": link.is_static,
        }
        for link in spec.links
    ]
    sub_graphs = sub_graphs or []
    webhooks = _node_webhooks(graph)
    body = {
        **graph_meta_json(
            graph, spec, sub_specs=[GraphSpec.from_model(sub) for sub in sub_graphs], for_export=for_export
        ),
        "nodes": [_node_json(graph, node, links, for_export, webhooks.get(node.id)) for node in spec.nodes],
        "links": links,
        "sub_graphs": [graph_json(sub, for_export=for_export, with_warnings=False) for sub in sub_graphs],
    }
    if with_warnings:
        body["warnings"] = graph_warnings(spec)
    return body

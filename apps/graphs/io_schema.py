"""A graph's `input_schema` and `output_schema`, derived from its Input and Output nodes as upstream does."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from apps.blocks.base import BlockType
from apps.graphs.spec import GraphSpec, NodeSpec

_VALUE_SCHEMA_DROPPED = ("description", "default", "title")


def _property(node: NodeSpec) -> tuple[str, dict[str, Any], bool] | None:
    block = node.block
    if block is None:
        return None
    try:
        fields = block.Input.parse(node.input_default)
    except ValidationError:
        return None
    value_schema = block.Input.jsonschema().get("properties", {}).get("value", {})
    name = str(fields.name)  # type: ignore[attr-defined]
    value = getattr(fields, "value", None)
    prop = {key: item for key, item in value_schema.items() if key not in _VALUE_SCHEMA_DROPPED}
    prop.update(
        {
            "secret": bool(getattr(fields, "secret", False)),
            "advanced": bool(getattr(fields, "advanced", False)),
            "title": getattr(fields, "title", None) or name,
        }
    )
    if description := getattr(fields, "description", None):
        prop["description"] = description
    if value is not None:
        prop["default"] = node.input_default.get("value", value)
    return name, prop, value is None


def _schema(nodes: list[NodeSpec]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for node in nodes:
        described = _property(node)
        if described is None:
            continue
        name, prop, is_required = described
        properties[name] = prop
        if is_required:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def graph_input_schema(spec: GraphSpec) -> dict[str, Any]:
    return _schema(spec.nodes_of_type(BlockType.INPUT))


def graph_output_schema(spec: GraphSpec) -> dict[str, Any]:
    return _schema(spec.nodes_of_type(BlockType.OUTPUT))


def graph_trigger_node(spec: GraphSpec) -> NodeSpec | None:
    """The graph's trigger node (a block with a webhook), if it has one."""
    return next((node for node in spec.nodes if (block := node.block) and block.webhook_config), None)


def graph_trigger_info(spec: GraphSpec) -> dict[str, Any] | None:
    """Upstream's `GraphTriggerInfo`: what setting the trigger up asks for (its inputs, credentials apart)."""
    node = graph_trigger_node(spec)
    block = node.block if node else None
    if block is None or block.webhook_config is None:
        return None
    schema = block.Input.jsonschema()
    credentials = [
        name for name in schema.get("properties", {}) if name == "credentials" or name.endswith("_credentials")
    ]
    return {
        "provider": block.webhook_config.provider,
        "config_schema": {
            **schema,
            "properties": {name: sub for name, sub in schema.get("properties", {}).items() if name not in credentials},
            "required": [name for name in schema.get("required", []) if name not in credentials],
        },
        "credentials_input_name": credentials[0] if credentials else None,
    }

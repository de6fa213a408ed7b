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

"""The tools a decision maker offers its model: one function per node its `tools` pin links to.

Each node linked from the decision maker's tool pins becomes a function named
after the block (or the sub-graph, for an Agent node; a name given to the node
in the builder wins), whose parameters are the linked pins of that node, as
upstream's `SmartDecisionMakerBlock._create_*_function_signature` builds them.
Parameter names are cleaned for the providers (`Max Keyword Difficulty` →
`max_keyword_difficulty`); `Tool.pins` maps them back to the sink's pins, which
is where the engine delivers the model's arguments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from apps.blocks.base import Block, BlockType
from apps.graphs.pins import DICT_SPLIT, LIST_SPLIT, OBJC_SPLIT, sanitize_pin_name


@dataclass(frozen=True)
class ToolSink:
    """A node linked from a decision maker's tool pins, as the engine knows it."""

    node_id: str
    block: Block
    input_default: dict[str, Any]
    # The node's pins the tool links feed, in link order.
    pins: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    # An Agent node: the name and description of the graph it runs.
    graph_name: str = ""
    graph_description: str = ""


@dataclass(frozen=True)
class Tool:
    definition: dict[str, Any]  # `{"type": "function", "function": {...}}`, as sent to the model
    sink_node_id: str
    pins: dict[str, str]  # parameter name → the sink's pin

    @property
    def name(self) -> str:
        return str(self.definition["function"]["name"])

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.definition["function"]["parameters"])


def cleanup(name: str) -> str:
    """A name providers accept for a function or a parameter (upstream's `cleanup`)."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name).lower()


def dynamic_pin_description(pin: str) -> str:
    """What a dynamic pin (`values_#_name`, `items_$_0`, `obj_@_attr`) fills, in upstream's words."""
    base = sanitize_pin_name(pin)
    if DICT_SPLIT in pin:
        part = pin.split(DICT_SPLIT)[1]
        key = part.split("_")[0] if "_" in part else part
        return f"Dictionary field '{key}' for base field '{base}' ({base}['{key}'])"
    if LIST_SPLIT in pin:
        part = pin.split(LIST_SPLIT)[1]
        index = part.split("_")[0] if "_" in part else part
        return f"List item {index} for base field '{base}' ({base}[{index}])"
    if OBJC_SPLIT in pin:
        attribute = pin.split(OBJC_SPLIT)[1]
        return f"Object attribute '{attribute}' for base field '{base}' ({base}.{attribute})"
    return f"Value for {pin}"


def _tool_name(sink: ToolSink, fallback: str) -> str:
    customized = sink.metadata.get("customized_name")
    return cleanup(customized if isinstance(customized, str) and customized else fallback)


def block_tool(sink: ToolSink) -> Tool:
    schema = sink.block.Input.jsonschema()
    fields, required = schema.get("properties", {}), set(schema.get("required", []))
    properties: dict[str, Any] = {}
    pins: dict[str, str] = {}
    needed: set[str] = set()
    for pin in sink.pins:
        parameter = cleanup(pin)
        pins[parameter] = pin
        if sanitize_pin_name(pin) != pin:
            properties[parameter] = {"type": "string", "description": dynamic_pin_description(pin)}
        else:
            properties[parameter] = fields.get(pin) or {"type": "string", "description": f"Value for {pin}"}
        if sanitize_pin_name(pin) in required:
            needed.add(parameter)
    function = {
        "name": _tool_name(sink, sink.block.name),
        "description": sink.block.description,
        "parameters": {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
            "required": sorted(needed),
        },
    }
    return Tool(definition={"type": "function", "function": function}, sink_node_id=sink.node_id, pins=pins)


def agent_tool(sink: ToolSink) -> Tool:
    """An Agent node: the parameters are the sub-graph's inputs, described by its input schema."""
    schema = sink.input_default.get("input_schema")
    inputs = schema.get("properties", {}) if isinstance(schema, dict) else {}
    properties: dict[str, Any] = {}
    pins: dict[str, str] = {}
    for pin in sink.pins:
        parameter = cleanup(pin)
        pins[parameter] = pin
        found = inputs.get(pin)
        described: dict[str, Any] = found if isinstance(found, dict) else {}
        properties[parameter] = {
            "type": "string",
            "description": described.get("description") or f"The {pin} of the tool",
            "default": json.dumps(described.get("default")),
        }
    name = sink.graph_name or str(sink.input_default.get("agent_name") or "")
    if not name and not sink.metadata.get("customized_name"):
        reference = f"{sink.input_default.get('graph_id')} {sink.input_default.get('graph_version')}"
        raise ValueError(f"Sink graph metadata not found: {reference}")
    function = {
        "name": _tool_name(sink, name),
        "description": sink.graph_description,
        "parameters": {"type": "object", "properties": properties, "additionalProperties": False, "strict": True},
    }
    return Tool(definition={"type": "function", "function": function}, sink_node_id=sink.node_id, pins=pins)


def tools_for(sinks: list[ToolSink]) -> list[Tool]:
    if not sinks:
        raise ValueError("There is no next node to execute.")
    return [agent_tool(sink) if sink.block.block_type is BlockType.AGENT else block_tool(sink) for sink in sinks]


def find_tool(tools: list[Tool], name: str) -> Tool | None:
    """The tool a call names; with a single tool, a misspelt name still means it (as upstream)."""
    found = next((tool for tool in tools if tool.name == name), None)
    return found if found is not None or len(tools) != 1 else tools[0]


def argument_errors(tools: list[Tool], name: str, arguments: str) -> str | None:
    """Why a tool call cannot be carried out (unknown tool, arguments not JSON, wrong parameters), as upstream says."""
    try:
        given = json.loads(arguments)
    except json.JSONDecodeError as error:
        return f"Tool call '{name}' has invalid JSON arguments: {error}"
    if not isinstance(given, dict):
        return f"Tool call '{name}' has invalid JSON arguments: expected an object, got {type(given).__name__}"
    tool = find_tool(tools, name)
    if tool is None:
        return f"Tool call for '{name}' does not match any known tool definition."
    expected = set(tool.parameters.get("properties", {}))
    required = set(tool.parameters.get("required", []))
    unknown, missing = set(given) - expected, required - set(given)
    if not unknown and not missing:
        return None
    message = f"Tool call '{name}' has parameter errors:"
    if unknown:
        message += f" Unknown parameters: {sorted(unknown)}."
    if missing:
        message += f" Missing required parameters: {sorted(missing)}."
    message += f" Expected parameters: {sorted(expected)}."
    if required:
        message += f" Required parameters: {sorted(required)}."
    return message

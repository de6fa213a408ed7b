"""Graph validation, as upstream's `_validate_graph` (reference §2.3).

On save only Input, Output and Agent nodes must have their required inputs; on
run every node must. Errors are collected as `{node_id: {field: message}}`,
keyed by the node ids as the client sent them.
"""

from __future__ import annotations

from typing import Any

from apps.blocks.base import Block, BlockType
from apps.core.exceptions import ApplicationError
from apps.graphs.pins import list_index_error, sanitize_pin_name
from apps.graphs.spec import GraphSpec, LinkSpec, NodeSpec

NodeErrors = dict[str, dict[str, str]]
REQUIRED = "This field is required"
# The pins naming the graph an Agent node runs: fixed when the graph is saved, so no run can choose its sub-graph.
AGENT_FIXED_PINS = frozenset({"graph_id", "graph_version", "user_id"})
# Masks reach into the sub-graph's nodes, so linking them could choose a sub-graph's sub-graph.
_AGENT_UNLINKABLE_PINS = AGENT_FIXED_PINS | {"nodes_input_masks"}


class GraphValidationError(ApplicationError):
    code = "GRAPH_VALIDATION_FAILED"

    def __init__(self, node_errors: NodeErrors, unknown_block_ids: list[str] | None = None) -> None:
        issues = sum(len(fields) for fields in node_errors.values())
        message = f"Graph validation failed: {issues} issues on {len(node_errors)} nodes"
        if unknown_block_ids:
            message += f"; blocks not provided by this server: {', '.join(unknown_block_ids)}"
        detail = {"type": "validation_error", "message": message, "node_errors": node_errors}
        if unknown_block_ids:
            detail["unknown_block_ids"] = unknown_block_ids
        super().__init__(message, detail=detail, hint="Fix the listed node errors and retry.")
        self.node_errors = node_errors


def is_credentials_field(name: str) -> bool:
    return name == "credentials" or name.endswith("_credentials")


def agent_pin_names(node: NodeSpec, schema_key: str) -> set[str]:
    """An Agent (sub-graph) node's pins come from the sub-graph schema embedded in its inputs."""
    schema = node.input_default.get(schema_key)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return set(properties) if isinstance(properties, dict) else set()


def input_pin_names(node: NodeSpec, block: Block) -> set[str]:
    if block.block_type is BlockType.AGENT:
        return agent_pin_names(node, "input_schema") | block.Input.field_names()
    return block.Input.field_names()


def output_pin_names(node: NodeSpec, block: Block) -> set[str]:
    if block.block_type is BlockType.AGENT:
        return agent_pin_names(node, "output_schema") | {"error"}
    return block.Output.field_names()


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _missing_required(node: NodeSpec, block: Block, inbound: list[LinkSpec]) -> set[str]:
    provided = {sanitize_pin_name(name) for name, value in node.input_default.items() if not _is_empty(value)}
    provided |= {sanitize_pin_name(link.sink_name) for link in inbound}
    required = block.Input.required_fields()
    if block.block_type is BlockType.AGENT:
        # The server fills in the owner; the sub-graph's own inputs are what must be given.
        schema = node.input_default.get("input_schema") or {}
        inputs = node.input_default.get("inputs") or {}
        sub_required = set(schema.get("required", [])) if isinstance(schema, dict) else set()
        provided |= set(inputs) if isinstance(inputs, dict) else set()
        required = (required - {"user_id", "inputs"}) | sub_required
    return {name for name in required - provided if not is_credentials_field(name)}


def _depends_on_errors(node: NodeSpec, block: Block) -> dict[str, str]:
    errors = {}
    for name, prop in block.Input.jsonschema().get("properties", {}).items():
        dependencies = prop.get("depends_on") or []
        if _is_empty(node.input_default.get(name)) or not dependencies:
            continue
        missing = [dep for dep in dependencies if _is_empty(node.input_default.get(dep))]
        if missing:
            errors[name] = f"Field `{name}` requires {missing} to be set"
    return errors


def _agent_mask_errors(node: NodeSpec) -> dict[str, str]:
    masks = node.input_default.get("nodes_input_masks")
    if not isinstance(masks, dict):
        return {}
    for mask in masks.values():
        if isinstance(mask, dict) and AGENT_FIXED_PINS & {sanitize_pin_name(str(pin)) for pin in mask}:
            return {"nodes_input_masks": f"Input masks may not set {sorted(AGENT_FIXED_PINS)}"}
    return {}


def _link_errors(link: LinkSpec, nodes: dict[str, NodeSpec], errors: NodeErrors) -> None:
    source, sink = nodes.get(link.source_id), nodes.get(link.sink_id)
    if source is None or sink is None:
        missing = link.source_id if source is None else link.sink_id
        owner = link.sink_id if source is None and sink is not None else link.source_id
        pin = link.sink_name if owner == link.sink_id else link.source_name
        errors.setdefault(owner, {})[pin] = f"Link refers to node #{missing}, which is not in the graph"
        return
    for node, pin, pins_of, side in (
        (source, link.source_name, output_pin_names, "source"),
        (sink, link.sink_name, input_pin_names, "sink"),
    ):
        block = node.block
        if block is None:
            continue
        allowed = pins_of(node, block)
        if sanitize_pin_name(pin) not in allowed:
            errors.setdefault(node.id, {})[pin] = (
                f"Link ({link.source_id},{link.source_name}) <-> ({link.sink_id},{link.sink_name}), "
                f"`{pin}` invalid {side} pin, Allowed fields: {sorted(allowed)}"
            )
    if sink.block_type is BlockType.AGENT and sanitize_pin_name(link.sink_name) in _AGENT_UNLINKABLE_PINS:
        errors.setdefault(sink.id, {})[link.sink_name] = (
            f"`{link.sink_name}` of an Agent node is fixed when the graph is saved and cannot be linked"
        )
    if (index_error := list_index_error(link.sink_name)) is not None:
        errors.setdefault(sink.id, {})[link.sink_name] = index_error


def _linked_pins(inbound: list[LinkSpec], nodes: dict[str, NodeSpec]) -> dict[str, bool]:
    """Each linked pin of a node, and whether a link into it is static (an Input node's output always is)."""
    linked: dict[str, bool] = {}
    for link in inbound:
        source = nodes.get(link.source_id)
        source_block = source.block if source is not None else None
        is_static = link.is_static or (source_block is not None and source_block.static_output)
        linked[link.sink_name] = linked.get(link.sink_name, False) or is_static
    return linked


def _collect(spec: GraphSpec, *, for_run: bool, errors: NodeErrors, unknown: list[str]) -> None:
    nodes = {node.id: node for node in spec.nodes}
    inbound: dict[str, list[LinkSpec]] = {}
    for link in spec.links:
        inbound.setdefault(link.sink_id, []).append(link)
    checked_on_save = (BlockType.INPUT, BlockType.OUTPUT, BlockType.AGENT)
    for node in spec.nodes:
        block = node.block
        if block is None:
            errors.setdefault(node.id, {})["block_id"] = f"Invalid block {node.block_id} for node #{node.id}"
            if node.block_id not in unknown:
                unknown.append(node.block_id)
            continue
        if block.block_type is BlockType.NOTE:
            continue
        if for_run or block.block_type in checked_on_save:
            for name in sorted(_missing_required(node, block, inbound.get(node.id, []))):
                errors.setdefault(node.id, {})[name] = REQUIRED
        if block.block_type is BlockType.INPUT and is_credentials_field(str(node.input_default.get("name", ""))):
            errors.setdefault(node.id, {})["name"] = "`credentials` and `*_credentials` are reserved input names"
        if for_run:
            for name, message in _depends_on_errors(node, block).items():
                errors.setdefault(node.id, {})[name] = message
        for pin in node.input_default:
            if (index_error := list_index_error(pin)) is not None:
                errors.setdefault(node.id, {})[pin] = index_error
        if block.block_type is BlockType.AGENT and (mask_errors := _agent_mask_errors(node)):
            errors.setdefault(node.id, {}).update(mask_errors)
        if link_errors := block.input_link_errors(_linked_pins(inbound.get(node.id, []), nodes)):
            errors.setdefault(node.id, {}).update(link_errors)
    for link in spec.links:
        _link_errors(link, nodes, errors)


def graph_node_errors(spec: GraphSpec, *, for_run: bool) -> tuple[NodeErrors, list[str]]:
    """`(node_errors, unknown_block_ids)` of the graph and its sub-graphs."""
    errors: NodeErrors = {}
    unknown: list[str] = []
    for graph in (spec, *spec.sub_graphs):
        _collect(graph, for_run=for_run, errors=errors, unknown=unknown)
    return errors, unknown


def graph_validate(spec: GraphSpec, *, for_run: bool) -> None:
    errors, unknown = graph_node_errors(spec, for_run=for_run)
    if errors:
        raise GraphValidationError(errors, unknown)

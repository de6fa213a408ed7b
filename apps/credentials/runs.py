"""Credentials in runs: mapped onto nodes when a run starts, handed to blocks when a node runs.

At the start the run's `credentials_inputs` (one reference per graph input, see
`graph_inputs`) become input masks of the nodes they cover; every credentials
field of the graph must then hold a reference to credentials of the user (or of
the platform) of the right provider and type, else the run is refused with
upstream's messages in `node_errors`. Only references are stored in the run.

When a node runs, its references are looked up, decrypted (and OAuth2 tokens
refreshed) and passed to `run()` as keyword arguments named like the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from apps.blocks.base import Block
from apps.credentials.exceptions import CredentialsUnavailableError
from apps.credentials.fields import credentials_fields, validation_summary
from apps.credentials.graph_inputs import node_credentials_input_map
from apps.credentials.selectors import credentials_kinds
from apps.credentials.services import credentials_acquire
from apps.credentials.types import MASK, AnyCredentials, secret_values
from apps.graphs.models import Graph
from apps.graphs.selectors import graph_sub_graphs
from apps.graphs.spec import GraphSpec
from apps.graphs.validation import GraphValidationError, NodeErrors, graph_node_errors

REQUIRED = "These credentials are required"
MISMATCH = "Invalid credentials: type/provider mismatch"

Masks = dict[str, dict[str, Any]]


def _is_missing(value: Any) -> bool:
    return value is None or value == {} or value == ""


def credentials_node_errors(*, user_id: Any, specs: list[GraphSpec], masks: Masks) -> NodeErrors:
    """Upstream's credential checks for every credentials field of the graphs, with the run's masks applied."""
    errors: NodeErrors = {}
    references: list[tuple[str, str, Any]] = []
    for spec in specs:
        for node in spec.nodes:
            block = node.block
            if block is None:
                continue
            for name, meta_type in credentials_fields(block.Input).items():
                mask = masks.get(node.id, {})
                raw = mask[name] if name in mask else node.input_default.get(name)
                if _is_missing(raw):
                    if block.Input.model_fields[name].is_required():
                        errors.setdefault(node.id, {})[name] = REQUIRED
                    continue
                try:
                    meta = meta_type.model_validate(raw)
                except ValidationError as error:
                    errors.setdefault(node.id, {})[name] = f"Invalid credentials: {validation_summary(error)}"
                    continue
                references.append((node.id, name, meta))
    kinds = credentials_kinds(user_id=user_id, credentials_ids={meta.id for _, _, meta in references})
    for node_id, name, meta in references:
        kind = kinds.get(meta.id)
        if kind is None:
            errors.setdefault(node_id, {})[name] = f"Unknown credentials #{meta.id}"
        elif kind != (str(getattr(meta.provider, "value", meta.provider)), meta.type):
            errors.setdefault(node_id, {})[name] = MISMATCH
    return errors


def _as_masked(spec: GraphSpec, masks: Masks) -> GraphSpec:
    """The graph as the run will see it: an input its masks give (a trigger's preset inputs, say) is given."""
    nodes = [
        replace(node, input_default={**node.input_default, **masks[node.id]}) if node.id in masks else node
        for node in spec.nodes
    ]
    return replace(spec, nodes=nodes)


def run_credentials_prepare(
    *, user_id: Any, graph: Graph, credentials_inputs: dict[str, Any], nodes_input_masks: Masks
) -> Masks:
    """The run's node input masks with its credentials mapped onto the nodes.

    Raises `GraphValidationError` with the graph's own errors for a run and those
    of its credentials (sub-graphs' credentials included), together.
    """
    spec = GraphSpec.from_model(graph)
    specs = [spec, *(GraphSpec.from_model(sub) for sub in graph_sub_graphs(graph=graph))]
    masks = node_credentials_input_map(specs, credentials_inputs)
    for node_id, values in nodes_input_masks.items():
        masks[node_id] = {**masks.get(node_id, {}), **values}
    errors, unknown = graph_node_errors(_as_masked(spec, masks), for_run=True)
    for node_id, field_errors in credentials_node_errors(user_id=user_id, specs=specs, masks=masks).items():
        errors.setdefault(node_id, {}).update(field_errors)
    if errors:
        raise GraphValidationError(errors, unknown)
    return masks


@dataclass
class BlockCredentials:
    """What a block's `run()` receives for its credentials fields, and the secrets to scrub from its traces."""

    kwargs: dict[str, AnyCredentials] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def scrub(self, text: str | None) -> str | None:
        """`text` with every secret of these credentials masked (a block may quote one in an error)."""
        if text is None:
            return None
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


def credentials_for_block(*, user_id: Any, block: Block, input_data: dict[str, Any]) -> BlockCredentials:
    """The credentials a block's input refers to, ready to use; raises `CredentialsUnavailableError`."""
    result = BlockCredentials()
    for name in credentials_fields(block.Input):
        reference = input_data.get(name)
        if _is_missing(reference) or not isinstance(reference, dict):
            if block.Input.model_fields[name].is_required():
                raise CredentialsUnavailableError(f"{REQUIRED}: `{name}` of {block.name}")
            continue
        credentials = credentials_acquire(user_id=user_id, credentials_id=str(reference.get("id")))
        if (credentials.provider, credentials.type) != (reference.get("provider"), reference.get("type")):
            raise CredentialsUnavailableError(f"{MISMATCH} for `{name}` of {block.name}")
        result.kwargs[name] = credentials
        result.secrets += secret_values(credentials)
    return result

"""A graph's credentials inputs: upstream's `aggregate_credentials_inputs` and `credentials_input_schema`.

Every credentials field of every node (sub-graphs included) is one requirement;
a field with a discriminator is first narrowed by the node's own value (an LLM
node's `model` picks its provider, an HTTP node's `url` its host). Requirements
for the same providers and credential types are one graph input, named
`{providers}_{types}_credentials` (`openai_api_key_credentials`); host-scoped HTTP
requirements are told apart by host. A run's `credentials_inputs` give one
reference per graph input, and each is handed to every node field it covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from apps.credentials.fields import CredentialsField, CredentialsFieldInfo, schema_credentials_info
from apps.credentials.providers import ProviderName
from apps.graphs.spec import GraphSpec

NodeField = tuple[str, str]  # (node id, field name)


def _host_of(value: Any) -> str:
    try:
        return urlsplit(str(value)).hostname or str(value)
    except ValueError:
        return str(value)


def _node_requirements(specs: Iterable[GraphSpec]) -> list[tuple[CredentialsFieldInfo, NodeField]]:
    found = []
    for spec in specs:
        for node in spec.nodes:
            block = node.block
            if block is None:
                continue
            for field_name, info in schema_credentials_info(block.Input).items():
                value = node.input_default.get(info.discriminator) if info.discriminator else None
                if value is not None:
                    info = info.discriminate(value)
                found.append((info, (node.id, field_name)))
    return found


def _group_key(info: CredentialsFieldInfo) -> tuple[frozenset[str], frozenset[str]]:
    providers = set(info.providers)
    if providers == {ProviderName.HTTP.value}:
        # One HTTP credential per host the graph's requests go to.
        providers |= {_host_of(value) for value in info.discriminator_values}
    return frozenset(providers), frozenset(info.types)


def aggregate_credentials_inputs(specs: Iterable[GraphSpec]) -> dict[str, tuple[CredentialsFieldInfo, set[NodeField]]]:
    """`{graph input name: (what it accepts, the node fields it covers)}`, in order of first appearance."""
    groups: dict[tuple[frozenset[str], frozenset[str]], list[tuple[CredentialsFieldInfo, NodeField]]] = {}
    for info, node_field in _node_requirements(specs):
        groups.setdefault(_group_key(info), []).append((info, node_field))
    result = {}
    for (providers, types), members in groups.items():
        first = members[0][0]
        scopes = frozenset(scope for info, _ in members for scope in (info.scopes or ()))
        values: list[Any] = []
        for info, _ in members:
            values += [value for value in info.discriminator_values if value not in values]
        name = "-".join(sorted(providers)) + "_" + "-".join(sorted(types)) + "_credentials"
        combined = replace(first, scopes=scopes or None, discriminator_values=tuple(values))
        result[name] = (combined, {node_field for _, node_field in members})
    return result


def credentials_field_schema(info: CredentialsFieldInfo) -> dict[str, Any]:
    """One graph input's JSON schema, as upstream renders a `CredentialsField` of these providers and types."""
    schema = info.meta_model().model_json_schema()
    extra = CredentialsField(
        required_scopes=sorted(info.scopes or ()),
        discriminator=info.discriminator,
        discriminator_mapping=info.discriminator_mapping,
        discriminator_values=info.discriminator_values,
    ).json_schema_extra
    return {**schema, **extra}


def credentials_input_schema(*, graph_name: str, specs: Iterable[GraphSpec]) -> dict[str, Any]:
    inputs = aggregate_credentials_inputs(specs)
    return {
        "properties": {name: credentials_field_schema(info) for name, (info, _) in inputs.items()},
        "required": list(inputs),
        "title": f"{graph_name.replace(' ', '')}CredentialsInputSchema",
        "type": "object",
    }


def node_credentials_input_map(
    specs: Iterable[GraphSpec], credentials_inputs: dict[str, dict[str, Any]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """`{node id: {field: reference}}` for the graph inputs given (upstream's `make_node_credentials_input_map`)."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for name, (_, node_fields) in aggregate_credentials_inputs(specs).items():
        reference = credentials_inputs.get(name)
        if reference is None:
            continue
        for node_id, field_name in node_fields:
            result.setdefault(node_id, {})[field_name] = dict(reference)
    return result

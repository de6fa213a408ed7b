"""A run's inputs for an exported agent, made from the graph's `input_schema` alone.

Each input gets its default when the agent declares one, else a plausible value for its JSON
schema type and format (an address for a field named like an email, a number for an integer).
`OVERRIDES` holds the few inputs an agent needs to be specific to finish, with the reason.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.youtube import DEFAULT_VIDEOS

SAMPLE_VIDEO_URL = f"https://www.youtube.com/watch?v={next(iter(DEFAULT_VIDEOS))}"

# File name -> {input name: value}: only where the generic value cannot reach COMPLETED.
OVERRIDES: dict[str, dict[str, Any]] = {
    # The calculator's one input is untyped; it is the left operand of an addition.
    "calculator-agent.json": {"Input": 7},
    # A short-text input whose description asks for a score from 0 to 100: its sub-agent reads it
    # through a number input, which refuses other text as upstream's would.
    "agent_b8ceb480-a7a2-4c90-8513-181a49f7071f.json": {"Confidence Threshold": "80"},
}


def schema_types(schema: dict[str, Any]) -> list[str]:
    """The non-null JSON types a property allows (`anyOf` unwrapped)."""
    if "type" in schema:
        declared = schema["type"]
        return [declared] if isinstance(declared, str) else [t for t in declared if t != "null"]
    return [t for option in schema.get("anyOf", []) for t in schema_types(option) if t != "null"]


def plausible_value(name: str, schema: dict[str, Any]) -> Any:
    if schema.get("enum"):
        return schema["enum"][0]
    types = schema_types(schema) or ["string"]
    kind = types[0]
    if kind == "integer":
        return 3
    if kind == "number":
        return 2.5
    if kind == "boolean":
        return True
    if kind == "array":
        return [plausible_value(f"{name} item", schema.get("items", {}))]
    if kind == "object":
        return {"sample": f"sample {name}"}
    lowered = name.lower()
    if "email" in lowered:
        return "reader@example.com"
    if "url" in lowered or schema.get("format") == "uri":
        return "https://example.com/"
    return f"sample {name}"


def fill_inputs(file_name: str, input_schema: dict[str, Any]) -> dict[str, Any]:
    filled: dict[str, Any] = {}
    for name, schema in input_schema.get("properties", {}).items():
        if "default" in schema and schema["default"] not in (None, ""):
            filled[name] = schema["default"]
        else:
            filled[name] = plausible_value(name, schema)
    filled.update(OVERRIDES.get(file_name, {}))
    return filled

"""Checking answers against upstream's schemas for schedules, sharing, the library, presets, webhooks and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

_FIXTURES = Path(__file__).parent / "fixtures"
SCHEMAS = {
    **json.loads((_FIXTURES / "upstream-agent-ops-schemas.json").read_text())["schemas"],
    **json.loads((_FIXTURES / "upstream-trigger-schemas.json").read_text())["schemas"],
}


def assert_upstream_shape(body: Any, schema_name: str) -> None:
    schema = SCHEMAS[schema_name]
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert not errors, f"{schema_name}: {[error.message for error in errors]}"
    assert set(body) == set(schema["properties"]), f"{schema_name}: {sorted(body)} != {sorted(schema['properties'])}"

"""Checking answers against upstream's wire contract (the schemas in `upstream_schemas.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS = json.loads((Path(__file__).parent / "upstream_schemas.json").read_text())["schemas"]


def assert_upstream_shape(body: Any, schema_name: str) -> None:
    schema = SCHEMAS[schema_name]
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert not errors, f"{schema_name}: {[error.message for error in errors]}"
    # Upstream's models answer every field they declare, nulls included.
    assert set(body) == set(schema["properties"]), f"{schema_name}: {sorted(body)} != {sorted(schema['properties'])}"

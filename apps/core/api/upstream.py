"""Upstream's published OpenAPI document (the wire contract, SPEC §0), and its shapes in ours.

Where we answer exactly what upstream answers (graphs, runs), our document says so by naming
upstream's schema instead of restating it: `upstream_schema("GraphModel")` in a view's
`extend_schema`, and the `add_upstream_components` hook copies the named schemas (with
everything they refer to) into our components. The test suite checks our answers against the
same document (`tests/upstream_shapes.py`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).with_name("upstream-openapi-2025-10-30.json")
_REF_PREFIX = "#/components/schemas/"


@cache
def upstream_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text())
    return document


def path_template(path: str) -> str:
    """`/api/graphs/{graph_id}` and `/api/graphs/{id}` both become `/api/graphs/{}`."""
    return re.sub(r"\{[^}]+\}", "{}", path)


@cache
def _operation_ids() -> dict[tuple[str, str], str]:
    return {
        (method.upper(), path_template(path)): operation["operationId"]
        for path, item in upstream_document()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def upstream_operation_id(method: str, path: str) -> str | None:
    return _operation_ids().get((method.upper(), path_template(path)))


def upstream_schema(name: str) -> dict[str, Any]:
    """A reference to upstream's component `name` (its definition is added by the hook)."""
    if name not in upstream_document()["components"]["schemas"]:
        raise KeyError(f"upstream's document has no schema {name!r}")
    return {"$ref": _REF_PREFIX + name}


def upstream_list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": upstream_schema(name)}


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].removeprefix(_REF_PREFIX)} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _references(value)
        return found
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    return set()


def add_upstream_components(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: define every upstream schema the document refers to."""
    ours = result.setdefault("components", {}).setdefault("schemas", {})
    theirs = upstream_document()["components"]["schemas"]
    pending = [name for name in _references(result.get("paths", {})) | _references(ours) if name not in ours]
    while pending:
        name = pending.pop()
        if name in ours or name not in theirs:
            continue
        ours[name] = theirs[name]
        pending.extend(_references(theirs[name]) - set(ours))
    return result

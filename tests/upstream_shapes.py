"""Checking our answers against upstream's wire contract: its published OpenAPI document
(`apps/core/api/upstream-openapi-2025-10-30.json`, kept exactly as published), `$ref`s resolved.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from apps.core.api.upstream import upstream_document

_DOCUMENT_URI = "urn:upstream-openapi"


def document() -> dict[str, Any]:
    return upstream_document()


@cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(document(), default_specification=DRAFT202012)
    return Registry().with_resource(_DOCUMENT_URI, resource)


_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # RFC 3339 wants a time zone; fromisoformat alone would take a naive time.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def pointer(*parts: str) -> str:
    """A JSON pointer into the document (`pointer("paths", "/api/graphs", "get")`)."""
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def schema_errors(body: Any, at: str) -> list[str]:
    """Every way `body` breaks the document's schema at the pointer `at`."""
    # A reference into the document, not a copy of the schema: the schema's own `$ref`s are
    # relative to the document and resolve only from inside it.
    validator = Draft202012Validator({"$ref": _DOCUMENT_URI + at}, registry=_registry(), format_checker=_formats)
    errors = validator.iter_errors(body)
    return sorted(f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}" for error in errors)


def component(name: str) -> dict[str, Any]:
    return document()["components"]["schemas"][name]  # type: ignore[no-any-return]


def assert_upstream_shape(body: Any, schema_name: str) -> None:
    """`body` is a `schema_name` of upstream's, with every field upstream's model declares."""
    errors = schema_errors(body, pointer("components", "schemas", schema_name))
    assert not errors, f"{schema_name}: {errors}"
    # Upstream's models answer every field they declare, nulls included.
    declared = set(component(schema_name)["properties"])
    assert set(body) == declared, f"{schema_name}: {sorted(body)} != {sorted(declared)}"

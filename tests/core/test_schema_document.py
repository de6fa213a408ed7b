"""Our own OpenAPI document describes what every route answers: its body and each error it can give."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.core.api.upstream import upstream_document

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _is_bare_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and not schema.get("properties") and "additionalProperties" not in schema


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    counts = Counter(operation["operationId"] for _, _, operation in _operations(document))

    assert [name for name, count in counts.items() if count > 1] == []


def test_no_success_answer_is_a_bare_object_or_undescribed(document: dict[str, Any]) -> None:
    vague = []
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("2") or status == "204":
                continue
            content = response.get("content", {}).get("application/json")
            if content is None or not content.get("schema") or _is_bare_object(content["schema"]):
                vague.append(f"{method} {path} {status}")

    assert vague == []


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("GET", "/api/graphs", {"401", "429", "503"}),
        ("GET", "/api/graphs/{graph_id}", {"401", "404", "422", "429", "503"}),
        ("POST", "/api/graphs", {"400", "401", "413", "415", "422", "429", "503"}),
        ("POST", "/api/credits/admin/add_credits", {"401", "403", "422"}),
        ("POST", "/api/graphs/{graph_id}/execute/{version}", {"402", "404", "422"}),
        ("POST", "/api/auth/token", {"401", "422", "429"}),
        ("GET", "/api/integrations/providers", {"429", "503"}),
    ],
)
def test_each_operation_documents_the_errors_it_can_give(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    responses = document["paths"][path][method.lower()]["responses"]

    assert statuses <= set(responses), sorted(statuses - set(responses))
    error = responses[sorted(statuses)[0]]["content"]["application/json"]["schema"]
    assert error in (
        {"$ref": "#/components/schemas/ErrorOutput"},
        {"$ref": "#/components/schemas/ValidationErrorOutput"},
    )


def test_public_routes_document_no_401(document: dict[str, Any]) -> None:
    assert "401" not in document["paths"]["/api/integrations/providers"]["get"]["responses"]
    assert "401" not in document["paths"]["/api/public/shared/{share_token}"]["get"]["responses"]


def test_validation_errors_are_described_as_upstreams_list(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    assert set(schemas["ValidationErrorOutput"]["properties"]) == {"code", "message", "detail", "hint"}
    assert schemas["ValidationErrorOutput"]["properties"]["detail"]["type"] == "array"
    assert schemas["GraphModel"] == upstream_document()["components"]["schemas"]["GraphModel"]

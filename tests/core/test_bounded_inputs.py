"""Every input a client controls is bounded, and going past a bound is a 4xx that names it (SPEC §16)."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework.test import APIClient

from apps.core.api.parsers import json_depth_exceeds

pytestmark = pytest.mark.django_db


def _post_raw(client: APIClient, path: str, body: str) -> object:
    return client.generic("POST", path, body, content_type="application/json")


def test_a_body_nested_five_thousand_deep_is_refused_with_the_limit(auth_client: APIClient) -> None:
    response = _post_raw(auth_client, "/api/graphs", "[" * 5000 + "]" * 5000)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body"], "msg": "JSON is nested deeper than 64 levels (JSON_MAX_DEPTH).", "type": "json_invalid"}
    ]


def test_a_body_nested_past_the_limit_but_within_the_decoder_is_refused(auth_client: APIClient) -> None:
    body = {"graph": {"nodes": [], "metadata": json.loads('{"a":' * 80 + "1" + "}" * 80)}}

    response = auth_client.post("/api/graphs", body, format="json")

    assert response.status_code == 422
    assert "JSON_MAX_DEPTH" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("where", ["key", "value"])
def test_a_nul_character_anywhere_in_a_body_is_a_422_not_a_failed_save(auth_client: APIClient, where: str) -> None:
    held = {"a\u0000b": 1} if where == "key" else {"a": "b\u0000"}
    node = {"id": str(uuid.uuid4()), "block_id": "1ff065e9-88e8-4358-9d82-8dc91f622ba9", "input_default": held}

    response = auth_client.post("/api/graphs", {"graph": {"name": "g", "nodes": [node]}}, format="json")

    assert response.status_code == 422
    assert "NUL" in response.json()["detail"][0]["msg"]


def test_a_body_as_deep_as_the_limit_is_read(auth_client: APIClient) -> None:
    inner: object = "x"
    for _ in range(60):
        inner = {"k": inner}

    response = auth_client.post(
        "/api/graphs", {"graph": {"name": "deep", "description": "", "x": inner}}, format="json"
    )

    assert response.status_code == 200


def test_depth_is_measured_without_recursion() -> None:
    value: object = []
    for _ in range(100_000):
        value = [value]

    assert json_depth_exceeds(value, 64)
    assert not json_depth_exceeds({"a": [1, {"b": []}]}, 4)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, 3)


@pytest.mark.parametrize(
    "path", [f"/api/graphs/{uuid.uuid4()}/executions?page={10**30}", f"/api/credits/admin/users_history?page={10**30}"]
)
def test_a_huge_page_number_is_a_422_naming_the_bound(staff_client: APIClient, path: str) -> None:
    response = staff_client.get(path)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", "page"], "msg": "Ensure this value is less than or equal to 100000.", "type": "max_value"}
    ]


def test_a_huge_page_size_is_a_422_naming_the_bound(auth_client: APIClient) -> None:
    response = auth_client.get(f"/api/graphs/{uuid.uuid4()}/executions?page_size=101")

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Ensure this value is less than or equal to 100."


def test_the_last_page_within_the_bound_is_answered(auth_client: APIClient) -> None:
    response = auth_client.get(f"/api/graphs/{uuid.uuid4()}/executions?page=100000&page_size=100")

    assert response.status_code in (200, 404)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/graphs/{uuid.uuid4()}/versions/{10**30}",
        f"/api/graphs/{uuid.uuid4()}?version={10**30}",
    ],
)
def test_a_version_too_large_for_the_database_is_a_4xx(auth_client: APIClient, path: str) -> None:
    response = auth_client.get(path)

    assert response.status_code in (404, 422)


def test_executing_a_version_too_large_for_the_database_is_a_404(auth_client: APIClient) -> None:
    response = auth_client.post(f"/api/graphs/{uuid.uuid4()}/execute/{10**30}", {"inputs": {}}, format="json")

    assert response.status_code == 404


def test_scheduling_a_version_too_large_for_the_database_is_a_422(auth_client: APIClient) -> None:
    body = {"name": "s", "cron": "0 * * * *", "inputs": {}, "graph_version": 10**30}

    response = auth_client.post(f"/api/graphs/{uuid.uuid4()}/schedules", body, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "graph_version"]

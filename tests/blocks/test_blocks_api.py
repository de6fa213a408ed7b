from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"


def test_blocks_are_listed_in_upstream_shape(auth_client: APIClient) -> None:
    response = auth_client.get("/api/blocks")

    assert response.status_code == 200
    blocks = {block["id"]: block for block in json.loads(response.content)}
    store = blocks[STORE_VALUE]
    assert set(store) == {
        "id",
        "name",
        "description",
        "inputSchema",
        "outputSchema",
        "categories",
        "contributors",
        "staticOutput",
        "uiType",
        "costs",
    }
    assert store["name"] == "StoreValueBlock"
    assert store["staticOutput"] is True
    assert store["uiType"] == "Standard"
    assert store["categories"] == [{"category": "BASIC", "description": "Block that performs basic operations."}]
    assert store["inputSchema"]["required"] == ["input"]
    assert "error" in store["outputSchema"]["properties"]


def test_block_list_needs_no_database_query_once_warm(auth_client: APIClient) -> None:
    auth_client.get("/api/blocks")

    with CaptureQueriesContext(connection) as queries:
        auth_client.get("/api/blocks")

    # Only authentication's user lookup: the catalog itself is cached.
    assert len(queries) == 1


def test_block_list_needs_authentication(api_client: APIClient) -> None:
    assert api_client.get("/api/blocks").status_code == 401


def test_block_executes_inline(auth_client: APIClient) -> None:
    response = auth_client.post(f"/api/blocks/{STORE_VALUE}/execute", {"input": "x", "data": 5}, format="json")

    assert response.status_code == 200
    assert response.json() == {"output": [5]}


def test_unknown_block_is_a_404_with_upstream_text(auth_client: APIClient) -> None:
    response = auth_client.post("/api/blocks/nope/execute", {}, format="json")

    assert response.status_code == 404
    assert response.json()["detail"] == "Block #nope not found."


def test_invalid_block_input_is_a_422_naming_the_field(auth_client: APIClient) -> None:
    number_input = "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98"

    response = auth_client.post(f"/api/blocks/{number_input}/execute", {"name": "n", "value": "abc"}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "value"]


def test_missing_required_block_input_is_a_422(auth_client: APIClient) -> None:
    response = auth_client.post(f"/api/blocks/{STORE_VALUE}/execute", {}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "input"]


def test_block_input_must_be_an_object(auth_client: APIClient) -> None:
    response = auth_client.post(f"/api/blocks/{STORE_VALUE}/execute", [1, 2], format="json")

    assert response.status_code == 422

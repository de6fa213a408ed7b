from __future__ import annotations

import json
import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
GET_LIST_ITEM = "262ca24c-1025-43cf-a578-534e23234e97"
FILL_TEXT_TEMPLATE = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
SEND_WEB_REQUEST = "6595ae1f-b924-42cb-9a41-551a0611c4b4"
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"


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


def test_block_schemas_inline_enums_with_their_field_keywords(auth_client: APIClient) -> None:
    response = auth_client.get("/api/blocks")

    assert b"$ref" not in response.content
    calculator = {block["id"]: block for block in response.json()}[CALCULATOR]
    assert calculator["inputSchema"]["properties"]["operation"] == {
        "enum": ["Add", "Subtract", "Multiply", "Divide", "Power"],
        "title": "Operation",
        "type": "string",
        "description": "Choose the math operation you want to perform",
        "placeholder": "Select an operation",
        "advanced": False,
        "secret": False,
    }


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


def test_a_block_yielding_an_error_is_a_400_with_its_message(auth_client: APIClient) -> None:
    response = auth_client.post(f"/api/blocks/{GET_LIST_ITEM}/execute", {"list": [1], "index": 3}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "BLOCK_ERROR",
        "message": "Index out of range",
        "detail": "Index out of range",
        "hint": "Adjust the request and retry.",
    }


def test_a_block_raising_is_a_400_with_its_message(auth_client: APIClient) -> None:
    body = {"values": {}, "format": "{{ ''.__class__.__mro__ }}"}

    response = auth_client.post(f"/api/blocks/{FILL_TEXT_TEMPLATE}/execute", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "BLOCK_ERROR"
    assert response.json()["message"] == "Template error: access to attribute '__class__' of 'str' object is unsafe."


def test_a_refused_web_request_is_a_400_naming_the_target(auth_client: APIClient, settings) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = False
    body = {"url": "http://169.254.169.254/latest/meta-data/", "method": "GET"}

    response = auth_client.post(f"/api/blocks/{SEND_WEB_REQUEST}/execute", body, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Refusing to connect to 169.254.169.254: link-local addresses are not allowed"
    )


def test_a_web_request_whose_connection_fails_is_a_400_not_a_500(auth_client: APIClient, settings) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    response = auth_client.post(
        f"/api/blocks/{SEND_WEB_REQUEST}/execute", {"url": f"http://127.0.0.1:{port}/", "method": "GET"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("ConnectError: ")


def test_the_sub_graph_block_cannot_run_inline(auth_client: APIClient) -> None:
    body = {
        "user_id": "u",
        "graph_id": "g",
        "graph_version": 1,
        "inputs": {},
        "input_schema": {},
        "output_schema": {},
    }

    response = auth_client.post(f"/api/blocks/{AGENT_EXECUTOR}/execute", body, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == (
        "AgentExecutorBlock cannot run on its own: sub-graphs are run by the execution engine as part of a graph."
    )


def test_an_infinite_result_is_answered_as_json_text(auth_client: APIClient) -> None:
    response = auth_client.post(
        f"/api/blocks/{CALCULATOR}/execute", {"operation": "Divide", "a": 1, "b": 0}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"result": ["Infinity"]}


def test_the_catalog_shows_prices_set_in_settings(auth_client: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    from apps.blocks.selectors import blocks_catalog_json

    settings.BLOCK_COSTS = {STORE_VALUE: [{"cost_amount": 7, "cost_filter": {}, "cost_type": "run"}]}
    blocks_catalog_json.cache_clear()
    try:
        blocks = {block["id"]: block for block in json.loads(auth_client.get("/api/blocks").content)}
    finally:
        blocks_catalog_json.cache_clear()

    assert blocks[STORE_VALUE]["costs"] == [{"cost_amount": 7, "cost_filter": {}, "cost_type": "run"}]

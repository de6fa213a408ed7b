from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import tokens_issue
from apps.api_keys.models import APIKey, APIKeyPermission, APIKeyStatus
from apps.api_keys.services import api_key_revoke, api_key_suspend
from apps.external_api import urls as external_urls
from tests.api_keys.conftest import ALL_PERMISSIONS, MakeKey, key_client

pytestmark = pytest.mark.django_db

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"

# Each external route, the permission it needs, and a request that succeeds with it.
# `{graph_id}`, `{version}` and `{run_id}` name a graph and a run of the key's owner.
ROUTES = [
    pytest.param("get", "/external-api/v1/me", None, "IDENTITY", id="me"),
    pytest.param("get", "/external-api/v1/blocks", None, "READ_BLOCK", id="blocks"),
    pytest.param(
        "post",
        f"/external-api/v1/blocks/{STORE_VALUE}/execute",
        {"input": "x", "data": 5},
        "EXECUTE_BLOCK",
        id="block-execute",
    ),
    pytest.param("get", "/external-api/v1/graphs", None, "READ_GRAPH", id="graphs"),
    pytest.param(
        "post",
        "/external-api/v1/graphs/{graph_id}/execute/{version}",
        {"node_input": {}},
        "EXECUTE_GRAPH",
        id="graph-execute",
    ),
    pytest.param(
        "get", "/external-api/v1/graphs/{graph_id}/executions/{run_id}", None, "READ_GRAPH", id="graph-execution"
    ),
    pytest.param(
        "get",
        "/external-api/v1/graphs/{graph_id}/executions/{run_id}/results",
        None,
        "READ_GRAPH",
        id="graph-execution-results",
    ),
]


@pytest.fixture
def targets(user: User) -> dict[str, str]:
    """A graph of the fixture user and a (never dispatched) run of it, for the graph routes."""
    from unittest import mock

    from apps.executions.services import execution_start
    from apps.graphs.selectors import graph_get_for_user
    from apps.graphs.services import graph_create
    from apps.graphs.spec import GraphSpec

    spec = GraphSpec.from_payload({"nodes": [{"id": "a", "block_id": STORE_VALUE, "input_default": {"input": 1}}]})
    graph = graph_get_for_user(user=user, graph_id=graph_create(user=user, spec=spec).graph_id)
    with mock.patch("apps.executions.services.send_node_executions"):
        run = execution_start(user=user, graph=graph, inputs={})
    return {"graph_id": str(graph.graph_id), "version": str(graph.version), "run_id": str(run.id)}


def call(client: APIClient, method: str, path: str, body: object) -> object:
    if method == "post":
        return client.post(path, body, format="json")
    return client.get(path)


@pytest.mark.parametrize(("method", "path", "body", "permission"), ROUTES)
def test_a_key_with_the_routes_permission_is_let_in(
    make_key: MakeKey, targets: dict[str, str], method: str, path: str, body: object, permission: str
) -> None:
    _, plaintext = make_key(permissions=[permission])

    response = call(key_client(plaintext), method, path.format(**targets), body)

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "body", "permission"), ROUTES)
def test_a_key_without_the_routes_permission_is_a_403_naming_it(
    make_key: MakeKey, targets: dict[str, str], method: str, path: str, body: object, permission: str
) -> None:
    _, plaintext = make_key(permissions=[name for name in ALL_PERMISSIONS if name != permission])

    response = call(key_client(plaintext), method, path.format(**targets), body)

    assert response.status_code == 403
    assert response.json()["detail"] == f"API key lacks the required permission '{permission}'"
    assert response.json()["code"] == "FORBIDDEN"


@pytest.mark.parametrize(("method", "path", "body", "permission"), ROUTES)
def test_a_request_without_a_key_is_a_401_missing_api_key(
    targets: dict[str, str], method: str, path: str, body: object, permission: str
) -> None:
    response = call(APIClient(), method, path.format(**targets), body)

    assert response.status_code == 401
    assert response.json()["detail"] == "Missing API key"
    assert response["WWW-Authenticate"] == 'APIKey header="X-API-Key"'


@pytest.mark.parametrize(("method", "path", "body", "permission"), ROUTES)
def test_a_bearer_token_does_not_open_the_external_api(
    user: User, targets: dict[str, str], method: str, path: str, body: object, permission: str
) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['access']}")

    response = call(client, method, path.format(**targets), body)

    assert response.status_code == 401
    assert response.json()["detail"] == "Missing API key"


def test_every_external_route_declares_a_permission() -> None:
    for pattern in external_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        view_class = pattern.callback.view_class  # type: ignore[attr-defined]
        assert view_class.required_permission in APIKeyPermission.values, pattern.name
    assert len(external_urls.urlpatterns) == len(ROUTES)
    assert get_resolver().resolve("/external-api/v1/me").url_name == "external-me"


def test_an_empty_header_counts_as_a_missing_key() -> None:
    response = key_client("").get("/external-api/v1/me")

    assert response.status_code == 401
    assert response.json()["detail"] == "Missing API key"


@pytest.mark.parametrize(
    "plaintext",
    [
        pytest.param("agpt_short", id="agpt-too-short"),
        pytest.param("agpt_" + "a" * 44, id="agpt-too-long"),
        pytest.param("a" * 48, id="no-prefix"),
        pytest.param("Bearer agpt_" + "a" * 43, id="scheme-in-header"),
        pytest.param("agpt_" + "a" * 43, id="unknown"),
    ],
)
def test_malformed_and_unknown_keys_are_a_401_invalid_api_key(plaintext: str) -> None:
    response = key_client(plaintext).get("/external-api/v1/me")

    assert response.status_code == 401
    assert response.json() == {
        "code": "UNAUTHENTICATED",
        "message": "Invalid API key",
        "detail": "Invalid API key",
        "hint": "Adjust the request and retry.",
    }


def test_a_key_differing_only_after_the_head_is_invalid(make_key: MakeKey) -> None:
    _, plaintext = make_key()
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")

    response = key_client(tampered).get("/external-api/v1/me")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid API key"


@pytest.mark.parametrize("state", ["revoked", "suspended", "expired"])
def test_unusable_keys_are_a_401_invalid_api_key(make_key: MakeKey, state: str) -> None:
    api_key, plaintext = make_key()
    if state == "revoked":
        api_key_revoke(api_key=api_key)
    elif state == "suspended":
        api_key_suspend(api_key=api_key)
    else:
        APIKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = key_client(plaintext).get("/external-api/v1/me")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid API key"


def test_a_key_works_until_it_expires(make_key: MakeKey) -> None:
    _, plaintext = make_key(expires_at=timezone.now() + timedelta(minutes=5))

    assert key_client(plaintext).get("/external-api/v1/me").status_code == 200


def test_a_revoked_key_stops_working_at_once(make_key: MakeKey) -> None:
    api_key, plaintext = make_key()
    client = key_client(plaintext)
    assert client.get("/external-api/v1/me").status_code == 200

    api_key_revoke(api_key=api_key)

    assert client.get("/external-api/v1/me").status_code == 401
    assert APIKey.objects.get(pk=api_key.pk).status == APIKeyStatus.REVOKED


def test_me_answers_the_keys_owner(user: User, make_key: MakeKey) -> None:
    _, plaintext = make_key(permissions=["IDENTITY"])

    response = key_client(plaintext).get("/external-api/v1/me")

    assert response.json() == {"id": str(user.pk), "name": user.name, "email": user.email, "timezone": "not-set"}


def test_external_blocks_are_the_api_catalog(auth_client: APIClient, make_key: MakeKey) -> None:
    _, plaintext = make_key(permissions=["READ_BLOCK"])

    response = key_client(plaintext).get("/external-api/v1/blocks")

    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(auth_client.get("/api/blocks").content)


def test_external_block_execution_answers_outputs_by_pin(make_key: MakeKey) -> None:
    _, plaintext = make_key(permissions=["EXECUTE_BLOCK"])

    response = key_client(plaintext).post(
        f"/external-api/v1/blocks/{STORE_VALUE}/execute", {"input": "x", "data": 5}, format="json"
    )

    assert response.json() == {"output": [5]}


def test_external_block_execution_maps_errors_as_the_api_does(make_key: MakeKey) -> None:
    client = key_client(make_key(permissions=["EXECUTE_BLOCK"])[1])

    unknown = client.post("/external-api/v1/blocks/nope/execute", {}, format="json")
    missing_input = client.post(f"/external-api/v1/blocks/{STORE_VALUE}/execute", {}, format="json")

    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Block #nope not found."
    assert missing_input.status_code == 422
    assert missing_input.json()["detail"][0]["loc"] == ["body", "input"]


def test_an_authenticated_external_request_costs_one_query_once_last_use_is_recent(make_key: MakeKey) -> None:
    _, plaintext = make_key(permissions=["IDENTITY"])
    client = key_client(plaintext)
    with CaptureQueriesContext(connection) as first:
        client.get("/external-api/v1/me")

    with CaptureQueriesContext(connection) as second:
        client.get("/external-api/v1/me")

    # The key with its user in one query; the first use also writes last_used_at.
    assert len(first) == 2
    assert len(second) == 1

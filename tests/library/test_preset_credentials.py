from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.credentials.models import Credential
from tests.graph_builders import graph, node
from tests.library.conftest import preset_body
from tests.runs import create_graph
from tests.worker import AUTHENTICATED_WEB_REQUEST_ID

pytestmark = pytest.mark.django_db

INPUT_NAME = "api.example.com-http_host_scoped_credentials"


@pytest.fixture
def fetcher(auth_client: APIClient) -> dict[str, Any]:
    return create_graph(
        auth_client, graph([node(AUTHENTICATED_WEB_REQUEST_ID, {"url": "https://api.example.com/", "method": "GET"})])
    )


@pytest.fixture
def reference(auth_client: APIClient) -> dict[str, Any]:
    body = auth_client.post(
        "/api/integrations/http/credentials",
        {"type": "host_scoped", "host": "api.example.com", "headers": {"X-Key": "s3cret-value"}},
        format="json",
    ).json()
    return {"id": body["id"], "provider": "http", "type": "host_scoped"}


def _preset(client: APIClient, fetcher: dict[str, Any], reference: dict[str, Any], name: str) -> dict[str, Any]:
    body = preset_body(fetcher, name=name, inputs={}, credentials={INPUT_NAME: reference})
    response = client.post("/api/library/presets", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_preset_keeps_a_credentials_reference_and_never_the_secret(
    auth_client: APIClient, fetcher: dict[str, Any], reference: dict[str, Any]
) -> None:
    preset = _preset(auth_client, fetcher, reference, "Fetch")

    assert preset["credentials"] == {INPUT_NAME: reference}
    assert "s3cret-value" not in auth_client.get(f"/api/library/presets/{preset['id']}").content.decode()


def test_credentials_a_live_preset_uses_are_deleted_only_when_forced(
    auth_client: APIClient, fetcher: dict[str, Any], reference: dict[str, Any]
) -> None:
    _preset(auth_client, fetcher, reference, "Morning fetch")
    gone = _preset(auth_client, fetcher, reference, "Deleted fetch")
    auth_client.delete(f"/api/library/presets/{gone['id']}")

    asked = auth_client.delete(f"/api/integrations/http/credentials/{reference['id']}")
    forced = auth_client.delete(f"/api/integrations/http/credentials/{reference['id']}?force=true")

    assert asked.json() == {
        "deleted": False,
        "need_confirmation": True,
        "message": "These credentials are still used by 1 preset ('Morning fetch'); "
        "delete them with force=true to proceed anyway",
    }
    assert forced.json()["deleted"] is True
    assert not Credential.objects.exists()

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.credentials.models import Credential
from tests.graph_builders import graph, node
from tests.runs import create_graph
from tests.schedules.conftest import schedule_body
from tests.worker import AUTHENTICATED_WEB_REQUEST_ID

pytestmark = pytest.mark.django_db

INPUT_NAME = "api.example.com-http_host_scoped_credentials"


def _host_credentials(client: APIClient) -> dict[str, Any]:
    body = client.post(
        "/api/integrations/http/credentials",
        {"type": "host_scoped", "host": "api.example.com", "headers": {"X-Key": "s3cret-value"}},
        format="json",
    ).json()
    return {"id": body["id"], "provider": "http", "type": "host_scoped"}


@pytest.fixture
def fetcher(auth_client: APIClient) -> dict[str, Any]:
    return create_graph(
        auth_client, graph([node(AUTHENTICATED_WEB_REQUEST_ID, {"url": "https://api.example.com/", "method": "GET"})])
    )


def test_a_schedule_keeps_a_credentials_reference_and_never_the_secret(
    auth_client: APIClient, fetcher: dict[str, Any]
) -> None:
    reference = _host_credentials(auth_client)

    response = auth_client.post(
        f"/api/graphs/{fetcher['id']}/schedules",
        schedule_body(inputs={}, credentials={INPUT_NAME: reference}),
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["input_credentials"] == {INPUT_NAME: reference}
    assert "s3cret-value" not in response.content.decode()


def test_a_schedule_with_someone_elses_or_no_credentials_is_refused(
    auth_client: APIClient, fetcher: dict[str, Any]
) -> None:
    missing = {"id": "0c8c1e0f-5b5e-4f54-9f3e-1f6b0b0b0b0b", "provider": "http", "type": "host_scoped"}

    without = auth_client.post(f"/api/graphs/{fetcher['id']}/schedules", schedule_body(inputs={}), format="json")
    unknown = auth_client.post(
        f"/api/graphs/{fetcher['id']}/schedules",
        schedule_body(inputs={}, credentials={INPUT_NAME: missing}),
        format="json",
    )

    assert without.status_code == 400
    assert without.json()["code"] == "GRAPH_VALIDATION_FAILED"
    assert unknown.status_code == 400


def test_credentials_a_schedule_uses_are_deleted_only_when_forced(
    auth_client: APIClient, fetcher: dict[str, Any]
) -> None:
    reference = _host_credentials(auth_client)
    auth_client.post(
        f"/api/graphs/{fetcher['id']}/schedules",
        schedule_body(name="Nightly fetch", inputs={}, credentials={INPUT_NAME: reference}),
        format="json",
    )

    asked = auth_client.delete(f"/api/integrations/http/credentials/{reference['id']}")
    forced = auth_client.delete(f"/api/integrations/http/credentials/{reference['id']}?force=true")

    assert asked.json() == {
        "deleted": False,
        "need_confirmation": True,
        "message": "These credentials are still used by 1 schedule ('Nightly fetch'); "
        "delete them with force=true to proceed anyway",
    }
    assert forced.json()["deleted"] is True
    assert not Credential.objects.exists()

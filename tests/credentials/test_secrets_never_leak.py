"""After runs that used credentials, and one whose credentials were deleted under it, no secret shows anywhere:
not in an API answer, a log line (web or worker), an event, a stored input or output, an error or an export."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from tests.blocks.local_http import LocalServer, local_http_server
from tests.graph_builders import COUNTDOWN_TIMER, graph, link, node
from tests.runs import EventRecorder, create_graph, wait_for_run
from tests.worker import AUTHENTICATED_WEB_REQUEST_ID, Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("user_has_credits")]

HEADER_SECRET = "hdr-7c1e0b-never-shown"
API_KEY_SECRET = "sk-live-9a8b7c-never-shown"
PASSWORD_SECRET = "pw-3d4e5f-never-shown"
SECRETS = (HEADER_SECRET, API_KEY_SECRET, PASSWORD_SECRET)
HOST_INPUT = "127.0.0.1-http_host_scoped_credentials"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server() as local:
        yield local


def _every_row() -> str:
    """Every row of every table of ours, as text (the encrypted secrets are checked to be encrypted)."""
    dumped = []
    for model in apps.get_models():
        if model._meta.app_label in ("accounts", "graphs", "executions", "credits", "credentials", "api_keys"):
            dumped += [json.dumps(row, default=str) for row in model.objects.values()]
    return "\n".join(dumped)


def _start(client: APIClient, created: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {"credentials_inputs": {HOST_INPUT: reference}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_no_secret_appears_anywhere_after_runs_that_used_them(
    auth_client: APIClient, server: LocalServer, celery_worker_process: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers: list[Any] = []

    def keep(response: Any) -> Any:
        answers.append(response.content.decode())
        return response

    hosted = keep(
        auth_client.post(
            "/api/integrations/http/credentials",
            {"type": "host_scoped", "host": "127.0.0.1", "headers": {"X-API-Key": HEADER_SECRET}},
            format="json",
        )
    ).json()
    keep(
        auth_client.post(
            "/api/integrations/openai/credentials", {"type": "api_key", "api_key": API_KEY_SECRET}, format="json"
        )
    )
    keep(
        auth_client.post(
            "/api/integrations/webshare_proxy/credentials",
            {"type": "user_password", "username": "u", "password": PASSWORD_SECRET},
            format="json",
        )
    )
    reference = {"id": hosted["id"], "provider": "http", "type": "host_scoped"}
    request = node(AUTHENTICATED_WEB_REQUEST_ID, {"url": server.url("/ok"), "method": "GET", "credentials": reference})
    used = create_graph(auth_client, graph([request], name="uses it"))
    timer = node(COUNTDOWN_TIMER, {"seconds": 1, "input_message": "x"})
    late = node(AUTHENTICATED_WEB_REQUEST_ID, {"url": server.url("/ok"), "method": "POST"})
    deleted_under = create_graph(auth_client, graph([timer, late], [link(timer, "output_message", late, "body")]))
    recorder = EventRecorder()
    try:
        first = _start(auth_client, used, reference)
        finished = [wait_for_run(first["id"], timeout=30)]
        second = _start(auth_client, deleted_under, reference)
        keep(auth_client.delete(f"/api/integrations/http/credentials/{hosted['id']}?force=true"))
        finished.append(wait_for_run(second["id"], timeout=30))
    finally:
        recorder.close()

    assert [run.status for run in finished] == [ExecutionStatus.COMPLETED, ExecutionStatus.FAILED]
    assert [item["headers"].get("X-API-Key") for item in server.requests] == [HEADER_SECRET]
    for graph_id, run in ((used["id"], first), (deleted_under["id"], second)):
        keep(auth_client.get(f"/api/graphs/{graph_id}"))
        keep(auth_client.get(f"/api/graphs/{graph_id}", {"for_export": "true"}))
        keep(auth_client.get(f"/api/graphs/{graph_id}/executions"))
        details = keep(auth_client.get(f"/api/graphs/{graph_id}/executions/{run['id']}")).json()
    assert "are not available" in json.dumps(details["node_executions"])
    keep(auth_client.get("/api/executions"))
    keep(auth_client.get("/api/graphs"))
    for credentials in keep(auth_client.get("/api/integrations/credentials")).json():
        keep(auth_client.get(f"/api/integrations/{credentials['provider']}/credentials/{credentials['id']}"))
    keep(auth_client.get("/api/credits/transactions"))

    places = {
        "API answers": "\n".join(answers),
        "events": json.dumps(recorder.messages),
        "web logs": caplog.text,
        "worker log": celery_worker_process.log(),
        "database": _every_row(),
    }
    carried = [
        message["data"]["input_data"].get("credentials")
        for message in recorder.for_run(first["id"])
        if message["method"] == "node_execution_event"
    ]
    assert reference in carried  # the events did carry the node's input: its reference, not its secret
    for where, text in places.items():
        for secret in SECRETS:
            assert secret not in text, f"a secret shows in the {where}"
    assert "**********" in places["API answers"]

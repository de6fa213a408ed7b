"""Files in runs on a real worker: a run reads its owner's upload, and another user's upload fails the node clearly."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from tests.conftest import client_for, funded_user
from tests.graph_builders import AGENT_OUTPUT, graph, link, node
from tests.runs import create_graph, execute, node_executions_of, outputs_of, wait_for_run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "user_has_credits"),
]

FILE_READ = "3735a31f-7e18-4aca-9e90-08a7120674bc"


def uploaded_uri(client: APIClient, content: bytes) -> str:
    response = client.post("/api/files/upload", {"file": SimpleUploadedFile("notes.txt", content)}, format="multipart")
    assert response.status_code == 200, response.json()
    return str(response.json()["file_uri"])


def reading_graph(uri: str) -> dict[str, Any]:
    reader = node(FILE_READ, {"file_input": uri})
    output = node(AGENT_OUTPUT, {"name": "content"})
    return graph([reader, output], [link(reader, "content", output, "value")])


def test_a_run_reads_its_owners_uploaded_file(auth_client: APIClient) -> None:
    created = create_graph(auth_client, reading_graph(uploaded_uri(auth_client, b"meeting at noon")))

    finished = wait_for_run(execute(auth_client, created)["id"])

    assert finished.status == ExecutionStatus.COMPLETED
    [reader] = node_executions_of(str(finished.id), FILE_READ)
    assert outputs_of(reader) == {"content": ["meeting at noon"]}


def test_another_users_file_uri_fails_the_node_with_a_clear_error(auth_client: APIClient) -> None:
    uri = uploaded_uri(client_for(funded_user()), b"not yours")
    created = create_graph(auth_client, reading_graph(uri))

    finished = wait_for_run(execute(auth_client, created)["id"])

    assert finished.status == ExecutionStatus.FAILED
    [reader] = node_executions_of(str(finished.id), FILE_READ)
    assert reader.status == ExecutionStatus.FAILED
    assert outputs_of(reader) == {
        "error": [f"File {uri} is not one of this run's owner's files, or it has expired; upload it again"]
    }

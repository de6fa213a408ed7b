"""Starting runs through the API and waiting for them, for the engine's tests."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from rest_framework.test import APIClient

from apps.core.redis import get_redis
from apps.executions.models import FINAL_STATUSES, GraphExecution, NodeExecution


def create_graph(client: APIClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/graphs", {"graph": payload}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def execute(
    client: APIClient, graph: dict[str, Any], inputs: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    response = client.post(
        f"/api/graphs/{graph['id']}/execute/{graph['version']}", {"inputs": inputs or {}}, format="json", **headers
    )
    assert response.status_code == 200, response.json()
    return response.json()


def wait_for_run(run_id: str, *, timeout: float = 30, statuses: tuple[str, ...] = FINAL_STATUSES) -> GraphExecution:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = GraphExecution.objects.get(pk=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.05)
    states = list(
        NodeExecution.objects.filter(graph_execution_id=run_id).values_list(
            "node__block_id", "status", "attempt", "lease_expires_at"
        )
    )
    raise TimeoutError(
        f"run {run_id} is still {GraphExecution.objects.get(pk=run_id).status} after {timeout}s: {states}"
    )


def run_details(client: APIClient, run: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/graphs/{run['graph_id']}/executions/{run['id']}")
    assert response.status_code == 200
    return response.json()


def node_executions_of(run_id: str, block_id: str) -> list[NodeExecution]:
    return list(
        NodeExecution.objects.filter(graph_execution_id=run_id, node__block_id=block_id)
        .prefetch_related("outputs", "inputs")
        .order_by("queued_at", "added_at")
    )


def outputs_of(execution: NodeExecution) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for item in execution.outputs.all():
        result.setdefault(item.name, []).append(item.data)
    return result


class EventRecorder:
    """Collects every execution event published on Redis while it runs."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._pubsub = get_redis(socket_timeout=None).pubsub()
        self._pubsub.psubscribe("agpt:exec:*", "agpt:graph:*")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()
        time.sleep(0.05)

    def _listen(self) -> None:
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.1)
            if message and message["type"] == "pmessage":
                self.messages.append({"channel": message["channel"].decode(), **json.loads(message["data"])})

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._pubsub.close()

    def for_run(self, run_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == f"agpt:exec:{run_id}"]

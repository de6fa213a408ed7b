from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from unittest import mock

import pytest
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import tokens_issue
from config.asgi import application
from tests.graph_builders import STORE_VALUE, graph, node
from tests.runs import create_graph, execute


def access_token(user: User) -> str:
    return str(tokens_issue(user=user)["access"])


@asynccontextmanager
async def websocket(query: str, *, headers: list[tuple[bytes, bytes]] | None = None) -> AsyncIterator[Socket]:
    communicator = WebsocketCommunicator(application, f"/ws?{query}", headers=headers or [])
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    socket = Socket(communicator)
    # Messages are handled in order, so once a heartbeat is answered the connection is
    # authenticated and listening for the user's notifications.
    assert await socket.nothing_more()
    try:
        yield socket
    finally:
        await communicator.disconnect(timeout=10)


class Socket:
    """A client of /ws in the test's own event loop (Channels' communicator)."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, message: Any) -> None:
        await self.communicator.send_to(text_data=message if isinstance(message, str) else json.dumps(message))

    async def send_bytes(self, data: bytes) -> None:
        await self.communicator.send_to(bytes_data=data)

    async def receive_text(self, timeout: float = 10) -> str:
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.send", output
        return str(output["text"])

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        return dict(json.loads(await self.receive_text(timeout)))

    async def request(self, message: Any) -> dict[str, Any]:
        await self.send(message)
        return await self.receive()

    async def closed(self, timeout: float = 10) -> dict[str, Any]:
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.close", output
        return dict(output)

    async def nothing_more(self) -> bool:
        """True if the server has sent nothing else (a heartbeat's pong is the next message)."""
        await self.send({"method": "heartbeat", "data": "ping"})
        return await self.receive() == {"method": "heartbeat", "data": "pong", "success": True}


@pytest.fixture
def token(user: User) -> str:
    return access_token(user)


@pytest.fixture
def no_dispatch() -> Any:
    """Runs are created but never sent to a worker: these tests are about the socket."""
    with mock.patch("apps.executions.services.send_node_executions") as sent:
        yield sent


@pytest.fixture
def created_graph(auth_client: APIClient) -> dict[str, Any]:
    return create_graph(auth_client, graph([node(STORE_VALUE, {"input": 1})]))


@pytest.fixture
def run(
    auth_client: APIClient, created_graph: dict[str, Any], user_has_credits: None, no_dispatch: Any
) -> dict[str, Any]:
    """One of the user's runs, QUEUED (never sent to a worker)."""
    return execute(auth_client, created_graph)

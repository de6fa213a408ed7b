"""B1's round trips: how many times a chain's node waits on PostgreSQL.

On a shared machine every round trip is a wake-up of the database's process and then
of ours, each waiting its turn for a core, so the count decides B1 on PostgreSQL more
than anything else, and unlike a timing it does not move with the load. The chain of
B1 runs in this process through the worker's own code path (`process_node_execution`:
the session claims each successor itself), its connections going through a local TCP
proxy that counts round trips: a message from the client answered by the server.

Reported per node, with the worker's group commit as configured and with the whole
chain in one group (the cost of a node alone, without its share of the group's BEGIN,
run lock, counters and COMMIT).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.engine import CHAIN_LENGTH, _chain, _user
from bench.harness import free_port


class RoundTripProxy:
    """Forwards TCP connections to the database, counting each client message the server answers."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.round_trips = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._started = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()
        self._started.wait(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", self.port))
        self._started.set()
        self._loop.run_forever()
        self._loop.close()

    async def _connection(self, client_reader: Any, client_writer: Any) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self.target)
        last = {"from": ""}
        with contextlib.suppress(asyncio.CancelledError):  # closed at the end
            await asyncio.gather(
                self._pipe(client_reader, server_writer, "client", last),
                self._pipe(server_reader, client_writer, "server", last),
            )

    async def _pipe(self, reader: Any, writer: Any, side: str, last: dict[str, str]) -> None:
        try:
            while data := await reader.read(65536):
                if side == "server" and last["from"] == "client":
                    self.round_trips += 1
                last["from"] = side
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextmanager
def _through(proxy: RoundTripProxy) -> Iterator[None]:
    """The default database's new connections go through the proxy while inside."""
    from django.db import connection

    settings_dict = connection.settings_dict
    original = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    connection.close_pool()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", proxy.port
    try:
        yield
    finally:
        connection.close()
        connection.close_pool()
        settings_dict["HOST"], settings_dict["PORT"] = original


def _run_chain(user: Any, graph: Any) -> None:
    from apps.executions.models import ExecutionStatus, GraphExecution, NodeExecution
    from apps.executions.services import execution_start
    from apps.executions.worker import process_node_execution

    # The starting execution's task also goes to the broker: no worker listens, and one that
    # takes it later finds it claimed.
    run = execution_start(user=user, graph=graph, inputs={})
    first = NodeExecution.objects.get(graph_execution=run)
    process_node_execution(node_exec_id=str(first.pk), run_id=str(run.pk))
    status = GraphExecution.objects.get(pk=run.pk).status
    if status != ExecutionStatus.COMPLETED:
        raise RuntimeError(f"benchmark run ended {status}")


def _per_node(proxy: RoundTripProxy, user: Any, graph: Any) -> float:
    before = proxy.round_trips
    _run_chain(user, graph)
    return (proxy.round_trips - before) / CHAIN_LENGTH


def main() -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("B1 round trips: skipped (PostgreSQL only: set DATABASE_URL)")
        return
    user = _user()
    graph = _chain(user)
    proxy = RoundTripProxy((connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"])))
    window = settings.ENGINE_GROUP_COMMIT_SECONDS
    try:
        with _through(proxy):
            _run_chain(user, graph)  # warm-up: caches, prepared plans
            grouped = sorted(_per_node(proxy, user, graph) for _ in range(3))
            settings.ENGINE_GROUP_COMMIT_SECONDS = 3600.0
            started = time.perf_counter()
            alone = _per_node(proxy, user, graph)
            elapsed = time.perf_counter() - started
    finally:
        settings.ENGINE_GROUP_COMMIT_SECONDS = window
        proxy.close()
    print(
        f"B1 round trips to PostgreSQL per chain node: {grouped[1]:.2f} (median of 3; groups of "
        f"{window * 1000:.0f} ms), {alone:.2f} with the chain in one group ({elapsed * 1000 / CHAIN_LENGTH:.1f} ms "
        f"per node in this process, through the proxy)"
    )

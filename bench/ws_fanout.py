"""B3: websocket fan-out. 1 000 clients on one daphne process, all subscribed to one graph's runs.

Every client holds `subscribe_graph_executions` on one graph. A probe
subscribed to the graph's Redis channel notes when each event was published;
every client notes when it received it (same clock, CLOCK_MONOTONIC). Two loads:
- runs: RUNS runs of a 3-node graph, one every RUN_INTERVAL_SECONDS, through a
  real worker. A run's graph events come in a burst (queued, running, one per
  node, final: 6 within a few tens of milliseconds).
- paced: PACED_EVENTS graph events published one at a time, PACED_RATE a second:
  the time to fan one event out to every socket.
Reported per design and load: delivered / expected (goal 100 %), p50 / p99
publish -> receipt over all deliveries (goal p99 < 100 ms), the p99 over events
of the slowest client's latency, the time to connect and subscribe all clients,
and daphne's (and the relay's) CPU seconds.

Designs, one after the other on the same worker and Redis (ours next to the floor):
- fan-out: ours, one Redis subscription per process fanned out to its sockets;
- core layer: RedisChannelLayer, with a relay from the Redis channels to groups;
- pubsub layer: RedisPubSubChannelLayer, with the same relay;
- floor: a bare ASGI app on daphne that writes every message to every socket
  (no Django, no Channels, no protocol): the least this stack can do.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import child_env, cpu_seconds, free_port, percentile, process, wait_for, worker
from bench.ws_client import LeanClient, Receipt, connect

CLIENTS = 1000
RUNS = 10
RUN_INTERVAL_SECONDS = 0.5
PACED_EVENTS = 50
PACED_RATE = 10
CONNECT_BATCH = 50
DRAIN_SECONDS = 15.0
STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"


@dataclass(frozen=True)
class Design:
    name: str
    application: str
    settings: str = "config.settings.test"
    relay: str | None = None


DESIGNS = (
    Design("fan-out (ours)", "config.asgi:application"),
    Design("floor: bare daphne broadcast", "bench.ws_floor:application"),
    Design("RedisChannelLayer + relay", "bench.ws_layers:core_application", "bench.ws_settings", "core"),
    Design("RedisPubSubChannelLayer + relay", "bench.ws_layers:pubsub_application", "bench.ws_settings", "pubsub"),
)
FLOOR = DESIGNS[1].name


@dataclass
class Result:
    design: str
    load: str
    expected: int = 0
    delivered: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    slowest_client_ms: list[float] = field(default_factory=list)
    connect_seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    relay_cpu_seconds: float = 0.0

    @property
    def delivered_ratio(self) -> float:
        return self.delivered / self.expected if self.expected else 0.0


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * CLIENTS + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _setup() -> tuple[Any, str, Any]:
    from apps.accounts.services import tokens_issue, user_create
    from apps.credits.services import credits_grant
    from apps.graphs.selectors import graph_get_for_user
    from apps.graphs.services import graph_create
    from apps.graphs.spec import GraphSpec

    user = user_create(email=f"bench-ws-{uuid.uuid4().hex[:8]}@example.com", password=None)
    credits_grant(user_id=user.pk, amount=10_000_000, transaction_key="bench")
    nodes = [
        {"id": f"n{i}", "block_id": STORE_VALUE, "input_default": {"input": i} if i == 0 else {}} for i in range(3)
    ]
    links = [
        {"source_id": f"n{i}", "sink_id": f"n{i + 1}", "source_name": "output", "sink_name": "input"} for i in range(2)
    ]
    created = graph_create(user=user, spec=GraphSpec.from_payload({"name": "bench ws", "nodes": nodes, "links": links}))
    graph = graph_get_for_user(user=user, graph_id=created.graph_id)
    return user, str(tokens_issue(user=user)["access"]), graph


def _port_open(port: int) -> bool:
    import socket

    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@contextlib.contextmanager
def _server(design: Design, port: int) -> Iterator[tuple[int, int | None]]:
    environment = {**child_env(), "DJANGO_SETTINGS_MODULE": design.settings}
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), design.application]
    with process(daphne, log_name="bench-ws-daphne", ready=lambda _: _port_open(port), environment=environment) as web:
        if design.relay is None:
            yield web.pid, None
            return
        relay = [sys.executable, "-m", "bench.ws_layers", design.relay]
        with process(
            relay, log_name="bench-ws-relay", ready=lambda log: "relay ready" in log, environment=environment
        ) as r:
            yield web.pid, r.pid


@contextlib.contextmanager
def _probe(channel: str) -> Iterator[Path]:
    from django.conf import settings

    path = Path(tempfile.mkstemp(prefix="bench-ws-probe-")[1])
    command = [sys.executable, "-m", "bench.ws_probe", settings.REDIS_URL, channel, str(path)]
    with process(command, log_name="bench-ws-probe", ready=lambda log: "probe ready" in log):
        yield path


def _published(path: Path) -> dict[tuple[str, int], float]:
    published = {}
    for line in path.read_text().splitlines():
        at, run_id, seq = line.split()
        published[(run_id, int(seq))] = float(at)
    return published


class Clients:
    """CLIENTS websocket clients in this process, each noting when it receives each graph event."""

    def __init__(self) -> None:
        self.connections: list[LeanClient] = []
        self.receipts: list[Receipt] = []

    async def open(self, port: int, path: str, subscribe: str) -> None:
        async def one() -> None:
            client = await connect("127.0.0.1", port, path, self.receipts.append)
            client.send_text(subscribe)
            await asyncio.wait_for(client.first_text, 60)
            self.connections.append(client)

        for start in range(0, CLIENTS, CONNECT_BATCH):
            await asyncio.gather(*(one() for _ in range(min(CONNECT_BATCH, CLIENTS - start))))

    def close(self) -> None:
        for client in self.connections:
            client.close()


async def _run_graphs(user: Any, graph: Any, count: int) -> list[str]:
    from apps.executions.models import FINAL_STATUSES, GraphExecution
    from apps.executions.services import execution_start

    run_ids = []
    for _ in range(count):
        run = await asyncio.to_thread(execution_start, user=user, graph=graph, inputs={})
        run_ids.append(str(run.id))
        await asyncio.sleep(RUN_INTERVAL_SECONDS)

    def all_final() -> bool:
        return GraphExecution.objects.filter(pk__in=run_ids, status__in=FINAL_STATUSES).count() == len(run_ids)

    await asyncio.to_thread(wait_for, all_final, 120, 0.05)
    return run_ids


async def _publish_paced(run_id: str) -> None:
    """PACED_EVENTS graph events of one (finished) run, as the engine publishes them, one at a time."""
    from apps.executions.events import EventBatch
    from apps.executions.models import GraphExecution
    from apps.executions.serialization import graph_execution_json

    run = await asyncio.to_thread(GraphExecution.objects.get, pk=run_id)
    data = graph_execution_json(run)
    for _ in range(PACED_EVENTS):
        batch = EventBatch()
        batch.graph(run_id=run.id, graph_id=run.graph_public_id, data=data)
        await asyncio.to_thread(batch.publish)
        await asyncio.sleep(1 / PACED_RATE)


async def _collect(
    result: Result, clients: Clients, probe_path: Path, *, runs: set[str], since: float, pids: tuple[int, int | None]
) -> None:
    """Waits for every client to have every event published for `runs` since `since`, then measures."""
    published = {key: at for key, at in _published(probe_path).items() if key[0] in runs and at >= since}
    result.expected = len(published) * CLIENTS
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and _count(clients, published) < result.expected:
        await asyncio.sleep(0.2)
    slowest: dict[tuple[str, int], float] = {}
    for run_id, seq, received in clients.receipts:
        at = published.get((run_id, seq))
        if at is None:
            continue
        latency = (received - at) * 1000
        result.latencies_ms.append(latency)
        slowest[(run_id, seq)] = max(latency, slowest.get((run_id, seq), 0.0))
    result.delivered = len(result.latencies_ms)
    result.slowest_client_ms = list(slowest.values())


def _count(clients: Clients, published: dict[tuple[str, int], float]) -> int:
    return sum(1 for run_id, seq, _ in clients.receipts if (run_id, seq) in published)


class _Cpu:
    def __init__(self, pids: tuple[int, int | None]) -> None:
        self.pids = pids
        self.server, self.relay = self._now()

    def _now(self) -> tuple[float, float]:
        server, relay = self.pids
        return cpu_seconds(server), cpu_seconds(relay) if relay else 0.0

    def spent(self, result: Result) -> None:
        server, relay = self._now()
        result.server_cpu_seconds, result.relay_cpu_seconds = server - self.server, relay - self.relay


async def _measure(design: Design, user: Any, token: str, graph: Any) -> list[Result]:
    runs, paced = Result(design.name, "runs"), Result(design.name, "paced")
    port = free_port()
    subscribe = f'{{"method":"subscribe_graph_executions","data":{{"graph_id":"{graph.graph_id}"}}}}'
    with _server(design, port) as pids, _probe(f"agpt:graph:{graph.graph_id}") as probe_path:
        clients = Clients()
        started = time.monotonic()
        try:
            await clients.open(port, f"/ws?token={token}", subscribe)
            runs.connect_seconds = paced.connect_seconds = time.monotonic() - started
            await _run_graphs(user, graph, 1)  # warm-up
            await asyncio.sleep(1)

            cpu, since = _Cpu(pids), time.monotonic()
            measured = set(await _run_graphs(user, graph, RUNS))
            await _collect(runs, clients, probe_path, runs=measured, since=since, pids=pids)
            cpu.spent(runs)

            cpu, since = _Cpu(pids), time.monotonic()
            await _publish_paced(next(iter(measured)))
            await _collect(paced, clients, probe_path, runs=measured, since=since, pids=pids)
            cpu.spent(paced)
        finally:
            clients.close()
    return [runs, paced]


def _report(result: Result, floor: Result | None) -> str:
    p50, p99 = percentile(result.latencies_ms, 0.5), percentile(result.latencies_ms, 0.99)
    delivered = f"{result.delivered}/{result.expected} ({result.delivered_ratio:.1%})"
    line = (
        f"  {result.design:<32} {result.load:<5} delivered {delivered}"
        f"  p50 {p50:.1f} ms  p99 {p99:.1f} ms  slowest-client p99 {percentile(result.slowest_client_ms, 0.99):.1f} ms"
        f"  connect {result.connect_seconds:.1f} s  daphne CPU {result.server_cpu_seconds:.1f} s"
    )
    if result.relay_cpu_seconds:
        line += f" + relay {result.relay_cpu_seconds:.1f} s"
    if floor is not None and floor is not result and floor.latencies_ms:
        line += f"  -> p99 {p99 / percentile(floor.latencies_ms, 0.99):.1f}x the floor"
    return line


def main() -> None:
    from django.db import connection

    _raise_fd_limit()
    user, token, graph = _setup()
    print(
        f"B3 websocket fan-out on {connection.vendor}: {CLIENTS} clients on one daphne process subscribed to one "
        f"graph's runs; runs: {RUNS} runs of a 3-node graph, one every {RUN_INTERVAL_SECONDS} s; paced: "
        f"{PACED_EVENTS} graph events at {PACED_RATE}/s (goals: 100 % delivered, p99 < 100 ms)"
    )
    results: list[Result] = []
    # The clients' receipt times must not include this process's garbage collections.
    gc.disable()
    try:
        with worker(log_name="bench-ws-worker"):
            for design in DESIGNS:
                results.extend(asyncio.run(_measure(design, user, token, graph)))
                gc.collect()
    finally:
        gc.enable()
    floors = {result.load: result for result in results if result.design == FLOOR}
    for result in results:
        print(_report(result, floors.get(result.load)), flush=True)

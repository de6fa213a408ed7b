"""Engine benchmarks, each a ratio against a floor measured in the same run.

B1: a 100-node linear chain of StoreValue blocks; per-node wall time from
    execute to COMPLETED, against a bare Celery hop (a task that only enqueues
    the next one, same broker, same worker settings). Goal: <= 0.8x.
B2: StepThroughItems over 500 items into a StoreValue, 2 worker processes; node
    executions per second, against bare no-op task throughput. Goal: >= 0.5x.
B4: StepThroughItems over 100 items into a web request to a local server that
    answers after 200 ms, one worker process; wall time from execute to COMPLETED,
    against doing the 100 requests one after another (100 x 200 ms). Goal: >= 20x.
"""

from __future__ import annotations

import http.server
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.harness import Waiter, median_iqr, worker

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
STEP_THROUGH_ITEMS = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
SEND_WEB_REQUEST = "6595ae1f-b924-42cb-9a41-551a0611c4b4"
CHAIN_LENGTH = 100
FAN_OUT = 500
REQUESTS = 100
REQUEST_SECONDS = 0.2
ROUNDS = 5
IO_ROUNDS = 3


def _user() -> Any:
    from apps.accounts.services import user_create
    from apps.credits.services import credits_grant

    user = user_create(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password=None)
    credits_grant(user_id=user.pk, amount=10_000_000, transaction_key="bench")
    return user


def _graph(user: Any, nodes: list[dict[str, Any]], links: list[dict[str, Any]]) -> Any:
    from apps.graphs.selectors import graph_get_for_user
    from apps.graphs.services import graph_create
    from apps.graphs.spec import GraphSpec

    spec = GraphSpec.from_payload({"name": "bench", "nodes": nodes, "links": links})
    created = graph_create(user=user, spec=spec)
    return graph_get_for_user(user=user, graph_id=created.graph_id)


def _chain(user: Any) -> Any:
    nodes = [
        {"id": f"n{i}", "block_id": STORE_VALUE, "input_default": {"input": 1} if i == 0 else {}}
        for i in range(CHAIN_LENGTH)
    ]
    links = [
        {"source_id": f"n{i}", "sink_id": f"n{i + 1}", "source_name": "output", "sink_name": "input"}
        for i in range(CHAIN_LENGTH - 1)
    ]
    return _graph(user, nodes, links)


def _fan_out(user: Any) -> Any:
    nodes = [
        {"id": "items", "block_id": STEP_THROUGH_ITEMS, "input_default": {"items": list(range(FAN_OUT))}},
        {"id": "sink", "block_id": STORE_VALUE, "input_default": {}},
    ]
    links = [{"source_id": "items", "sink_id": "sink", "source_name": "item", "sink_name": "input"}]
    return _graph(user, nodes, links)


def _time_run(user: Any, graph: Any) -> float:
    """Seconds from starting a run to its final event."""
    from apps.executions.models import ExecutionStatus, GraphExecution
    from apps.executions.services import execution_start

    # The graph's channel carries run events only (one per node), not every node event.
    waiter = Waiter(f"agpt:graph:{graph.graph_id}")
    started = time.perf_counter()
    run = execution_start(user=user, graph=graph, inputs={})
    final = (b'"status":"COMPLETED"', b'"status":"FAILED"', b'"status":"TERMINATED"')
    waiter.wait(lambda channel, data: str(run.id).encode() in data and any(status in data for status in final))
    elapsed = time.perf_counter() - started
    waiter.close()
    status = GraphExecution.objects.get(pk=run.pk).status
    if status != ExecutionStatus.COMPLETED:
        raise RuntimeError(f"benchmark run ended {status}: {GraphExecution.objects.get(pk=run.pk).error}")
    return elapsed


def _time_hops(count: int) -> float:
    from bench.worker_app import hop

    key = f"agpt:bench:hop:{uuid.uuid4().hex}"
    waiter = Waiter(key)
    started = time.perf_counter()
    hop.delay(count - 1, key)
    waiter.wait(lambda channel, data: True)
    elapsed = time.perf_counter() - started
    waiter.close()
    return elapsed


def _time_noops(count: int) -> float:
    from bench.worker_app import noop

    key = f"agpt:bench:noop:{uuid.uuid4().hex}"
    waiter = Waiter(key)
    started = time.perf_counter()
    for _ in range(count):
        noop.delay(key, count)
    waiter.wait(lambda channel, data: True)
    elapsed = time.perf_counter() - started
    waiter.close()
    return elapsed


def b1_chain() -> dict[str, float]:
    user = _user()
    graph = _chain(user)
    ours, floor = [], []
    with worker(log_name="bench-b1-worker"):
        _time_run(user, graph)  # warm-up: imports, connections, caches
        _time_hops(CHAIN_LENGTH)
        for _ in range(ROUNDS):  # interleaved, so drift hits both alike
            ours.append(_time_run(user, graph) / CHAIN_LENGTH)
            floor.append(_time_hops(CHAIN_LENGTH) / CHAIN_LENGTH)
    (ours_ms, ours_iqr), (floor_ms, floor_iqr) = median_iqr(ours), median_iqr(floor)
    return {
        "node_ms": ours_ms * 1000,
        "node_iqr_ms": ours_iqr * 1000,
        "hop_ms": floor_ms * 1000,
        "hop_iqr_ms": floor_iqr * 1000,
        "ratio": ours_ms / floor_ms,
    }


def b2_fan_out() -> dict[str, float]:
    user = _user()
    graph = _fan_out(user)
    ours, floor = [], []
    with worker(processes=2, log_name="bench-b2-worker"):
        _time_run(user, graph)
        _time_noops(FAN_OUT)
        for _ in range(ROUNDS):
            ours.append((FAN_OUT + 1) / _time_run(user, graph))
            floor.append(FAN_OUT / _time_noops(FAN_OUT))
    (ours_rate, _), (floor_rate, _) = median_iqr(ours), median_iqr(floor)
    return {"node_execs_per_s": ours_rate, "noop_tasks_per_s": floor_rate, "ratio": ours_rate / floor_rate}


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request after REQUEST_SECONDS: a remote API's latency."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(REQUEST_SECONDS)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _SlowServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = REQUESTS * 2  # every request may arrive at once


@contextmanager
def _slow_server() -> Iterator[str]:
    server = _SlowServer(("127.0.0.1", 0), _SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _requests(user: Any, url: str) -> Any:
    nodes = [
        {"id": "items", "block_id": STEP_THROUGH_ITEMS, "input_default": {"items": list(range(REQUESTS))}},
        {"id": "request", "block_id": SEND_WEB_REQUEST, "input_default": {"url": url, "method": "POST"}},
    ]
    links = [{"source_id": "items", "sink_id": "request", "source_name": "item", "sink_name": "body"}]
    return _graph(user, nodes, links)


def b4_io_fan_out() -> dict[str, float]:
    user = _user()
    with (
        _slow_server() as url,
        worker(log_name="bench-b4-worker", environment={"BLOCK_HTTP_ALLOW_PRIVATE_TARGETS": "true"}),
    ):
        graph = _requests(user, url)
        _time_run(user, graph)
        ours = [_time_run(user, graph) for _ in range(IO_ROUNDS)]
    (seconds, iqr) = median_iqr(ours)
    one_after_another = REQUESTS * REQUEST_SECONDS
    return {"seconds": seconds, "iqr": iqr, "floor": one_after_another, "ratio": one_after_another / seconds}


def main(chosen: list[str]) -> None:
    from django.db import connection

    print(f"engine benchmarks on {connection.vendor}, {ROUNDS} interleaved rounds, median")
    if "b1" in chosen:
        b1 = b1_chain()
        print(
            f"B1 chain of {CHAIN_LENGTH}: {b1['node_ms']:.2f} ms/node (IQR {b1['node_iqr_ms']:.2f}) vs bare Celery "
            f"hop {b1['hop_ms']:.2f} ms (IQR {b1['hop_iqr_ms']:.2f}) -> ratio {b1['ratio']:.2f}x (goal <= 0.8x)"
        )
    if "b2" in chosen:
        b2 = b2_fan_out()
        print(
            f"B2 fan-out of {FAN_OUT}: {b2['node_execs_per_s']:.0f} node executions/s vs bare no-op "
            f"{b2['noop_tasks_per_s']:.0f} tasks/s -> ratio {b2['ratio']:.2f}x (goal >= 0.5x)"
        )
    if "b4" in chosen:
        b4 = b4_io_fan_out()
        print(
            f"B4 {REQUESTS} requests of {REQUEST_SECONDS * 1000:.0f} ms: {b4['seconds']:.2f} s (IQR {b4['iqr']:.2f}) "
            f"vs {b4['floor']:.0f} s one after another -> {b4['ratio']:.1f}x faster (goal >= 20x)"
        )

"""Engine metrics for `/metrics`, across every worker process.

Workers are separate processes on separate machines, so they cannot be scraped
through the web process. Each commit's counters ride along with its events (one
pipelined `HINCRBYFLOAT` per counter, in the same round trip) into one Redis
hash, and this collector reads the hash when Prometheus scrapes a web process.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from redis.exceptions import RedisError

from apps.core.redis import get_redis
from apps.executions.events import METRICS_KEY, EventBatch
from apps.executions.models import NodeExecution

FINISHED = "node_executions_finished:"
RUN_SECONDS = "node_execution_seconds:"
QUEUE_WAIT_SECONDS = "node_queue_wait_seconds"
QUEUE_WAITS = "node_queue_waits"
CREDITS_SPENT = "credits_spent"


def count_finished(events: EventBatch, *, execution: NodeExecution, walltime: float, cost: int) -> None:
    """Counts one finished node execution into the commit's events."""
    events.count(FINISHED + execution.status)
    events.count(RUN_SECONDS + execution.status, walltime)
    if execution.queued_at is not None and execution.started_at is not None:
        events.count(QUEUE_WAIT_SECONDS, (execution.started_at - execution.queued_at).total_seconds())
        events.count(QUEUE_WAITS)
    if cost:
        events.count(CREDITS_SPENT, cost)


class EngineCollector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        try:
            raw = get_redis(socket_timeout=1.0).hgetall(METRICS_KEY)
        except (RedisError, OSError):
            return
        values = {(key.decode() if isinstance(key, bytes) else key): float(value) for key, value in raw.items()}
        finished = CounterMetricFamily(
            "agpt_node_executions_finished", "Node executions that ended, by status", labels=["status"]
        )
        seconds = CounterMetricFamily(
            "agpt_node_execution_seconds", "Time node executions spent running, by final status", labels=["status"]
        )
        for name, value in values.items():
            if name.startswith(FINISHED):
                finished.add_metric([name.removeprefix(FINISHED)], value)
            elif name.startswith(RUN_SECONDS):
                seconds.add_metric([name.removeprefix(RUN_SECONDS)], value)
        yield finished
        yield seconds
        wait = CounterMetricFamily("agpt_node_queue_wait_seconds", "Time node executions waited queued before running")
        wait.add_metric([], values.get(QUEUE_WAIT_SECONDS, 0.0))
        yield wait
        waits = CounterMetricFamily("agpt_node_queue_waits", "Node executions whose queue wait is counted")
        waits.add_metric([], values.get(QUEUE_WAITS, 0.0))
        yield waits
        credits = CounterMetricFamily("agpt_credits_spent", "Credits charged for node executions")
        credits.add_metric([], values.get(CREDITS_SPENT, 0.0))
        yield credits


_registered = False


def register_collector() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(EngineCollector())
        _registered = True

"""Execution events on Redis, for the websocket layer to route.

Node events go to the run's channel; run events to the run's and the graph's.
Every event carries `seq`, increasing per run across all workers: a Lua
script increments the run's counter and publishes in one step, so the order of
`seq` is the order of delivery. All events of a commit go out in one
pipelined round trip, after the commit, and a failure to publish is logged,
never raised: the database stays the source of truth. Other Lua calls that can
wait for that moment ride along in the same round trip (`EventBatch.call`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from redis.exceptions import NoScriptError, RedisError

from apps.core.events import CHANNEL_PREFIX
from apps.core.jsonsafe import json_safe
from apps.core.redis import get_redis

logger = structlog.get_logger(__name__)

NODE_EVENT = "node_execution_event"
GRAPH_EVENT = "graph_execution_event"
SEQ_PLACEHOLDER = '"seq":-1'
SEQ_TTL_SECONDS = 7 * 24 * 3600

# KEYS[1]: the run's seq counter. ARGV: ttl, payload, channel, channel...
# The payload's first "seq":-1 is ours (it is the first key of `data`).
_PUBLISH_WITH_SEQ = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
local payload = string.gsub(ARGV[2], '"seq":%-1', '"seq":' .. seq, 1)
for i = 3, #ARGV do redis.call('PUBLISH', ARGV[i], payload) end
return seq
"""


def run_channel(run_id: object) -> str:
    return f"{CHANNEL_PREFIX}:exec:{run_id}"


def graph_channel(graph_id: object) -> str:
    return f"{CHANNEL_PREFIX}:graph:{graph_id}"


def seq_key(run_id: object) -> str:
    return f"{CHANNEL_PREFIX}:seq:{run_id}"


def _truncate(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + f"... (truncated, {len(value)} characters)"
    if isinstance(value, list):
        return [_truncate(item, limit) for item in value[:20]] + (["... (truncated)"] if len(value) > 20 else [])
    if isinstance(value, dict):
        return {key: _truncate(item, limit) for key, item in list(value.items())[:50]}
    return value


PAYLOAD_FIELDS = ("input_data", "output_data", "inputs", "outputs")


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps({"seq": -1, **data}, cls=DjangoJSONEncoder, separators=(",", ":"))


def _encode(method: str, data: dict[str, Any]) -> str:
    """The event's JSON, never over EVENT_MAX_BYTES.

    As upstream, big inputs and outputs are cut down rather than the event dropped;
    if cutting each value down is not enough, they are replaced by a note of their
    size (clients re-read the run over REST).
    """
    body = _dumps(data)
    limit = settings.EVENT_MAX_BYTES
    if len(body) > limit:
        trimmed = {
            key: _truncate(value, limit // 64) if key in PAYLOAD_FIELDS else value for key, value in data.items()
        }
        body = _dumps(trimmed)
        if len(body) > limit:
            sizes = {key: len(json.dumps(data[key], cls=DjangoJSONEncoder)) for key in PAYLOAD_FIELDS if key in data}
            noted = {
                key: {"truncated": True, "size": sizes[key]} if key in sizes else value for key, value in data.items()
            }
            body = _dumps(noted)
    return f'{{"method":"{method}","data":{body}}}'


@dataclass
class Reply:
    """The reply to a Lua call made with a batch: set when the batch is published, None if it could not be."""

    value: Any = None


@dataclass
class ScriptCall:
    script: str
    keys: list[str]
    args: list[Any]
    reply: Reply


@dataclass
class EventBatch:
    """The events of one commit, its metric increments and Lua calls; `publish()` sends them in one round trip."""

    items: list[tuple[str, str, list[str]]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    calls: list[ScriptCall] = field(default_factory=list)

    def call(self, script: str, keys: list[str], args: list[Any]) -> Reply:
        """Runs a Lua script in the same round trip as the events."""
        reply = Reply()
        self.calls.append(ScriptCall(script, keys, args, reply))
        return reply

    def count(self, name: str, amount: float = 1) -> None:
        """Adds to a process-independent counter (`apps.executions.metrics` exposes them)."""
        self.metrics[name] = self.metrics.get(name, 0) + amount

    def node(self, *, run_id: object, data: dict[str, Any]) -> None:
        self.items.append(
            (
                str(run_id),
                _encode(NODE_EVENT, {**json_safe(data), "event_type": "node_execution_update"}),
                [run_channel(run_id)],
            )
        )

    def graph(self, *, run_id: object, graph_id: object, data: dict[str, Any]) -> None:
        payload = _encode(GRAPH_EVENT, {**json_safe(data), "event_type": "graph_execution_update"})
        self.items.append((str(run_id), payload, [run_channel(run_id), graph_channel(graph_id)]))

    def publish(self) -> None:
        if not self.items and not self.metrics and not self.calls:
            return
        items, self.items = self.items, []
        metrics, self.metrics = self.metrics, {}
        calls, self.calls = self.calls, []
        try:
            _send(items, metrics, calls)
        except (RedisError, OSError) as error:
            logger.warning("execution_events_not_published", count=len(items), error=type(error).__name__)


METRICS_KEY = f"{CHANNEL_PREFIX}:metrics"

# Script text -> its SHA on the server, loaded once per process.
_shas: dict[str, str] = {}


def _sha(client: Any, script: str) -> str:
    if script not in _shas:
        _shas[script] = str(client.script_load(script))
    return _shas[script]


def _send(items: list[tuple[str, str, list[str]]], metrics: dict[str, float], calls: list[ScriptCall]) -> None:
    """One pipelined round trip of EVALSHA calls (redis-py's Script objects add a SCRIPT EXISTS each time)."""
    client = get_redis()
    pipeline = client.pipeline(transaction=False)
    # The calls go first, so their replies are the first ones.
    for call in calls:
        pipeline.evalsha(_sha(client, call.script), len(call.keys), *call.keys, *call.args)
    publish = _sha(client, _PUBLISH_WITH_SEQ) if items else ""
    for run_id, payload, channels in items:
        pipeline.evalsha(publish, 1, seq_key(run_id), SEQ_TTL_SECONDS, payload, *channels)
    for name, amount in metrics.items():
        pipeline.hincrbyfloat(METRICS_KEY, name, amount)
    try:
        replies = pipeline.execute()
    except NoScriptError:  # the server lost its scripts (a restart)
        _shas.clear()
        _send(items, metrics, calls)
        return
    for call, value in zip(calls, replies, strict=False):
        call.reply.value = value

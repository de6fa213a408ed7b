"""A commit's events, metric increments and Lua calls, sent to Redis in one round trip."""

from __future__ import annotations

import json
import time

from apps.core.redis import get_redis
from apps.executions.events import EventBatch, run_channel, seq_key

PLUS_ONE = "return tonumber(ARGV[1]) + 1"


def _listening(run_id: str):  # type: ignore[no-untyped-def]
    pubsub = get_redis(socket_timeout=None).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(run_channel(run_id))
    return pubsub


def _next_message(pubsub) -> bytes:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)  # None for the subscription's confirmation
        if message is not None:
            return bytes(message["data"])
    raise AssertionError("no event published")


def test_a_call_made_with_the_batch_gets_its_reply_when_the_events_go_out() -> None:
    pubsub = _listening("run-1")
    batch = EventBatch()
    batch.node(run_id="run-1", data={"node_exec_id": "a", "status": "RUNNING"})
    reply = batch.call(PLUS_ONE, [], [41])

    assert reply.value is None  # nothing is sent before publish
    batch.publish()

    assert reply.value == 42
    assert json.loads(_next_message(pubsub))["data"]["seq"] == 1
    pubsub.close()


def test_scripts_lost_by_the_server_are_loaded_again() -> None:
    first = EventBatch()
    first.call(PLUS_ONE, [], [1])
    first.node(run_id="run-2", data={"status": "QUEUED"})
    first.publish()
    get_redis().script_flush()  # as a restarted Redis would have lost them

    again = EventBatch()
    reply = again.call(PLUS_ONE, [], [2])
    again.node(run_id="run-2", data={"status": "RUNNING"})
    again.publish()

    assert reply.value == 3
    assert int(get_redis().get(seq_key("run-2"))) == 2

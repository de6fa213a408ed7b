"""AutoGPT's websocket protocol (reference §4): methods, the envelope, channel keys, error texts.

Inbound messages are validated with the same pydantic models upstream uses, so
the same inputs are accepted and refused, and with the same texts. Outbound
messages are `WSMessage.model_dump_json()` byte for byte: compact JSON, every
field present, in upstream's order (method, data, success, channel, error).
"""

from __future__ import annotations

import enum
import functools
import json
from typing import Any

import pydantic

INVALID_FORMAT = "Invalid message format. Review the schema and retry"
INVALID_DATA = "Invalid message data. Refer to the API schema"
SUBSCRIPTION_DATA_MISSING = "Subscription data missing"
NOT_PROCESSED = "Message type is not processed by the server"

# Close codes, sent after accepting so the client sees them (upstream's texts).
CLOSE_MISSING_TOKEN = (4001, "Missing authentication token")
CLOSE_NO_SUBJECT = (4002, "Invalid token")
CLOSE_INVALID_TOKEN = (4003, "Invalid token")


class WSMethod(enum.Enum):
    SUBSCRIBE_GRAPH_EXEC = "subscribe_graph_execution"
    SUBSCRIBE_GRAPH_EXECS = "subscribe_graph_executions"
    UNSUBSCRIBE = "unsubscribe"
    GRAPH_EXECUTION_EVENT = "graph_execution_event"
    NODE_EXECUTION_EVENT = "node_execution_event"
    NOTIFICATION = "notification"
    ERROR = "error"
    HEARTBEAT = "heartbeat"


class WSMessage(pydantic.BaseModel):
    method: WSMethod
    data: dict[str, Any] | list[Any] | str | None = None
    success: bool | None = None
    channel: str | None = None
    error: str | None = None


class SubscribeGraphExecution(pydantic.BaseModel):
    graph_exec_id: str


class SubscribeGraphExecutions(pydantic.BaseModel):
    graph_id: str


def parse(text: str) -> WSMessage:
    """The message, or `pydantic.ValidationError` (answered with INVALID_FORMAT)."""
    return WSMessage.model_validate_json(text)


def envelope(
    method: WSMethod | str,
    *,
    data: Any = None,
    success: bool | None = None,
    channel: str | None = None,
    error: str | None = None,
) -> str:
    name = method.value if isinstance(method, WSMethod) else method
    body = {"method": name, "data": data, "success": success, "channel": channel, "error": error}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def error(text: str, *, data: Any = None, channel: str | None = None) -> str:
    return envelope(WSMethod.ERROR, data=data, success=False, channel=channel, error=text)


# Upstream answers the heartbeat with `send_json` and these three keys only.
HEARTBEAT_REPLY = '{"method":"heartbeat","data":"pong","success":true}'


def graph_exec_channel_key(user_id: str, graph_exec_id: str) -> str:
    return f"{user_id}|graph_exec#{graph_exec_id}"


def graph_execs_channel_key(user_id: str, graph_id: str) -> str:
    return f"{user_id}|graph#{graph_id}|executions"


# Every socket on a channel gets the same frame: made once, looked up by the others
# (the payload is one string object, whose hash Python keeps).
@functools.lru_cache(maxsize=32)
def event_frame(payload: str, channel: str | None) -> str:
    """The wire message for an event published by the engine as `{"method": ..., "data": {...}}`.

    The engine's JSON is spliced rather than parsed and dumped again: its data may be large.
    """
    if payload.startswith('{"method":"') and payload.endswith("}"):
        return f'{payload[:-1]},"success":null,"channel":{json.dumps(channel)},"error":null}}'
    message = json.loads(payload)
    return envelope(message["method"], data=message.get("data"), channel=channel)

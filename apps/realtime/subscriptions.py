"""What a socket can subscribe to: a run or a graph's runs, each a Redis channel and an upstream channel key.

Channels group names cannot hold `|` or `#`, and Redis channels are what the
workers publish on anyway, so internally a subscription is its Redis channel
(`agpt:exec:<run>`, `agpt:graph:<graph>`); the upstream key
(`<user>|graph_exec#<run>`, `<user>|graph#<graph>|executions`) is only put on
the wire.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from channels.db import database_sync_to_async

from apps.executions.events import graph_channel, run_channel
from apps.executions.selectors import run_exists_for_user
from apps.graphs.selectors import graph_exists_for_user
from apps.realtime.protocol import graph_exec_channel_key, graph_execs_channel_key


@dataclass(frozen=True)
class Target:
    user_id: str
    channel: str
    key: str
    graph_exec_id: str | None = None
    graph_id: str | None = None

    @property
    def not_found(self) -> str:
        """The REST API's 404 text, so a run that is not yours reads as one that does not exist."""
        if self.graph_exec_id is not None:
            return f"Graph execution #{self.graph_exec_id} not found."
        return f"Graph #{self.graph_id} not found."

    async def is_owned(self) -> bool:
        if self.graph_exec_id is not None:
            return await database_sync_to_async(run_exists_for_user)(user_id=self.user_id, run_id=self.graph_exec_id)
        return await database_sync_to_async(graph_exists_for_user)(user_id=self.user_id, graph_id=str(self.graph_id))


def canonical_id(value: str) -> str:
    """A UUID as the REST API's paths and every event spell it (lower case, with dashes).

    Engines publish on channels named with that spelling: a subscription under another
    (upper case, no dashes) would be accepted and never hear an event.
    """
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        return value  # not a UUID: names nothing, so the subscription is answered "not found"


def run_target(user_id: str, graph_exec_id: str) -> Target:
    graph_exec_id = canonical_id(graph_exec_id)
    return Target(
        user_id=user_id,
        channel=run_channel(graph_exec_id),
        key=graph_exec_channel_key(user_id, graph_exec_id),
        graph_exec_id=graph_exec_id,
    )


def graph_target(user_id: str, graph_id: str) -> Target:
    graph_id = canonical_id(graph_id)
    return Target(
        user_id=user_id,
        channel=graph_channel(graph_id),
        key=graph_execs_channel_key(user_id, graph_id),
        graph_id=graph_id,
    )

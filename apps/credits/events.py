"""Credit notifications on the user's event channel, in upstream's websocket shape.

    {"method": "notification", "data": {"type": "LOW_BALANCE", "event": {...}}}

Each goes out after the current transaction commits (at once outside one), so a
rolled-back charge never announces anything.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction

from apps.core.events import publish, user_channel

UNKNOWN_AGENT = "Unknown Agent"


def billing_page_link() -> str:
    return f"{settings.FRONTEND_BASE_URL.rstrip('/')}/profile/credits"


def notification_message(*, type: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"method": "notification", "data": {"type": type, "event": event}}


def _publish_on_commit(*, user_id: uuid.UUID | str, type: str, event: dict[str, Any]) -> None:
    message = notification_message(type=type, event=event)
    transaction.on_commit(lambda: publish(user_channel(user_id), message))


def notify_low_balance(*, user_id: uuid.UUID | str, balance: int) -> None:
    _publish_on_commit(
        user_id=user_id,
        type="LOW_BALANCE",
        event={
            "current_balance": balance,
            "threshold": settings.LOW_BALANCE_THRESHOLD,
            "billing_page_link": billing_page_link(),
        },
    )


def notify_zero_balance(*, user_id: uuid.UUID | str, balance: int, shortfall: int, agent_name: str | None) -> None:
    _publish_on_commit(
        user_id=user_id,
        type="ZERO_BALANCE",
        event={
            "current_balance": balance,
            "shortfall": shortfall,
            "billing_page_link": billing_page_link(),
            "agent_name": agent_name or UNKNOWN_AGENT,
        },
    )


def notify_agent_run(
    *,
    user_id: uuid.UUID | str,
    graph_id: str,
    graph_exec_id: str,
    agent_name: str | None,
    credits_used: int,
    node_count: int,
    execution_time: float,
    outputs: list[dict[str, Any]],
) -> None:
    """AGENT_RUN at the end of a run (upstream's `AgentRunData`, plus the run's id).

    `outputs` is one `{name: ..., <pin>: [values]}` object per Output node, as upstream
    builds them; `execution_time` is the run's wall time in seconds.
    """
    _publish_on_commit(
        user_id=user_id,
        type="AGENT_RUN",
        event={
            "agent_name": agent_name or UNKNOWN_AGENT,
            "credits_used": credits_used,
            "execution_time": execution_time,
            "node_count": node_count,
            "graph_id": str(graph_id),
            "graph_exec_id": str(graph_exec_id),
            "outputs": outputs,
        },
    )

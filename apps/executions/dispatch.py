"""Sending work to the workers: the one place the engine talks to the broker.

Always after the commit that made the work: a failed send is logged, not
raised, because the database already says what is to be done, and the sweep
sends it again (QUEUED executions nobody claimed, Agent nodes whose child run
ended).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import structlog
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from apps.executions import tasks
from apps.executions.models import NodeExecution

logger = structlog.get_logger(__name__)


def _send(what: str, send: Callable[[], Any], **ids: str) -> None:
    try:
        send()
    except (KombuError, RedisError, OSError) as error:
        logger.warning(f"{what}_not_sent", error=type(error).__name__, **ids)


def send_node_executions(executions: Iterable[NodeExecution]) -> None:
    for execution in executions:
        send_node_execution_later(execution, 0)


def send_node_execution_later(execution: NodeExecution, delay: float) -> None:
    args = [str(execution.id), str(execution.graph_execution_id), str(execution.node_id)]
    _send(
        "node_execution",
        lambda: tasks.run_node_execution.apply_async(args=args, countdown=delay or None),
        node_exec_id=args[0],
    )


def send_subgraph_start(node_exec_id: Any) -> None:
    _send("subgraph_start", lambda: tasks.start_subgraph.delay(str(node_exec_id)), node_exec_id=str(node_exec_id))


def send_parent_resume(node_exec_id: Any) -> None:
    _send(
        "subgraph_resume", lambda: tasks.resume_subgraph_node.delay(str(node_exec_id)), node_exec_id=str(node_exec_id)
    )

"""Sending node executions to the workers: always after the commit that queued them.

A failed send is logged, not raised: the execution is QUEUED in the database
and the sweep sends it again.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from apps.executions.models import NodeExecution

logger = structlog.get_logger(__name__)


def send_node_executions(executions: Iterable[NodeExecution]) -> None:
    from apps.executions.tasks import run_node_execution

    for execution in executions:
        try:
            run_node_execution.apply_async(
                args=[str(execution.id), str(execution.graph_execution_id), str(execution.node_id)]
            )
        except (KombuError, RedisError, OSError) as error:
            logger.warning("node_execution_not_sent", node_exec_id=str(execution.id), error=type(error).__name__)

"""What a worker needs to know about a run: the immutable parts of a graph execution (cached), and
whether the run was asked to stop (a flag in Redis the sessions running its blocks poll)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import structlog
from redis.exceptions import RedisError

from apps.core.redis import get_redis
from apps.executions.models import GraphExecution

logger = structlog.get_logger(__name__)

CANCEL_TTL_SECONDS = 7 * 24 * 3600

_CACHE_SIZE = 4096
_cache: OrderedDict[str, RunMeta] = OrderedDict()
_cache_lock = threading.Lock()  # a worker's threads share it


@dataclass(frozen=True)
class RunMeta:
    id: str
    user_id: str
    graph_id: str
    graph_version: int
    masks: dict[str, Any]
    user_timezone: str
    graph_name: str
    inputs: dict[str, Any]
    credential_inputs: dict[str, Any]
    preset_id: Any
    parent_execution_id: Any

    @property
    def graph_public_id(self) -> str:
        return self.graph_id

    def run_with(self, **changing: Any) -> GraphExecution:
        """The run as a model instance, from what never changes plus its current `changing` fields."""
        return GraphExecution(
            id=self.id,
            user_id=self.user_id,
            graph_public_id=self.graph_id,
            graph_version=self.graph_version,
            inputs=self.inputs,
            credential_inputs=self.credential_inputs,
            nodes_input_masks=self.masks,
            preset_id=self.preset_id,
            parent_execution_id=self.parent_execution_id,
            **changing,
        )

    def block_context(self, *, node_id: str, node_exec_id: str) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "graph_id": self.graph_id,
            "graph_version": self.graph_version,
            "graph_exec_id": self.id,
            "node_id": node_id,
            "node_exec_id": node_exec_id,
            "user_timezone": self.user_timezone,
        }


def run_meta(run_id: str) -> RunMeta:
    with _cache_lock:
        meta = _cache.get(run_id)
        if meta is not None:
            _cache.move_to_end(run_id)
            return meta
    run = GraphExecution.objects.select_related("user", "graph").get(pk=run_id)
    meta = RunMeta(
        id=str(run.id),
        user_id=str(run.user_id),
        graph_id=str(run.graph_public_id),
        graph_version=run.graph_version,
        masks=run.nodes_input_masks or {},
        user_timezone=run.user.timezone,
        graph_name=run.graph.name,
        inputs=run.inputs,
        credential_inputs=run.credential_inputs,
        preset_id=run.preset_id,
        parent_execution_id=run.parent_execution_id,
    )
    with _cache_lock:
        _cache[run_id] = meta
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return meta


# A stop is in the database (`stop_requested_at`, `halted_at`), which every group of writes reads under
# the run's lock; the cancel flag tells the sessions whose blocks wait or run without writing (and the
# watchdog). A halt sets it after its commit, and Redis being away then only slows the halt down; the
# stop API sets it first and answers 503 without it (`services.execution_stop`).


def _cancel_key(run_id: object) -> str:
    return f"agpt:cancel:{run_id}"


def set_cancel_flag(run_id: object) -> None:
    try:
        get_redis().set(_cancel_key(run_id), "1", ex=CANCEL_TTL_SECONDS)
    except (RedisError, OSError) as error:
        logger.warning("cancel_flag_not_set", graph_exec_id=str(run_id), error=type(error).__name__)


def request_cancel(run_ids: list[object]) -> None:
    """The flags of runs being stopped (a run and its sub-runs) in one round trip; raises if Redis is
    unreachable. A session that sees a flag before the run's row says it is stopping records the stop
    itself (`GroupWrites._begin`), so the run still ends TERMINATED."""
    with get_redis().pipeline(transaction=False) as pipe:
        for run_id in run_ids:
            pipe.set(_cancel_key(run_id), "1", ex=CANCEL_TTL_SECONDS)
        pipe.execute()


def cancel_requested(run_id: object) -> bool:
    try:
        return bool(get_redis().exists(_cancel_key(run_id)))
    except (RedisError, OSError):
        return False

"""Charging a node execution before its block runs (upstream §2.10).

Two prices, written together or not at all under keys derived from the node
execution, so a redelivered node task is never charged twice:

- `node_exec:{id}`: the block's cost (first matching cost filter);
- `node_exec:{id}:execution_cost`: every Nth node execution of a user within a 24 h
  window costs M credits (N, M = `EXECUTION_COST_COUNT_THRESHOLD`,
  `EXECUTION_COST_PER_THRESHOLD`).

The window is Redis counter `uec:{user_id}`, whose expiry is set when it becomes 1.
A redelivered node execution must not count twice either, so the count is taken by
node execution: the first call for `node_exec_id` increments the counter and
remembers the number it got (`uec:node:{node_exec_id}`, for as long as a window);
later calls for the same id get the same number back without incrementing. Both
steps are one Lua script, so they are atomic. Because a repeated call is harmless,
the engine may take the count ahead, in a round trip it makes anyway
(`execution_count_call`), and pass it in.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from django.conf import settings
from redis.exceptions import RedisError

from apps.blocks.base import Block
from apps.core.redis import get_redis
from apps.credits.costs import block_usage_cost, execution_usage_cost
from apps.credits.events import notify_low_balance, notify_zero_balance
from apps.credits.exceptions import InsufficientBalanceError
from apps.credits.models import CreditTransactionType
from apps.credits.services import Entry, ledger_post

logger = structlog.get_logger(__name__)

_COUNT_ONCE_PER_NODE_EXECUTION = """
local seen = redis.call('GET', KEYS[2])
if seen then
    return tonumber(seen)
end
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
redis.call('SET', KEYS[2], count, 'EX', ARGV[1])
return count
"""


def execution_counter_key(user_id: uuid.UUID | str) -> str:
    return f"uec:{user_id}"


def node_block_charge_key(node_exec_id: uuid.UUID | str) -> str:
    return f"node_exec:{node_exec_id}"


def node_execution_cost_key(node_exec_id: uuid.UUID | str) -> str:
    return f"node_exec:{node_exec_id}:execution_cost"


def execution_count_call(
    *, user_id: uuid.UUID | str, node_exec_id: uuid.UUID | str
) -> tuple[str, list[str], list[Any]]:
    """The Lua script, keys and arguments that count a node execution (see the module's docstring)."""
    keys = [execution_counter_key(user_id), f"uec:node:{node_exec_id}"]
    return _COUNT_ONCE_PER_NODE_EXECUTION, keys, [settings.EXECUTION_COUNTER_EXPIRATION_SECONDS]


def execution_count_increment(*, user_id: uuid.UUID | str, node_exec_id: uuid.UUID | str) -> int:
    """The user's node-execution count in the current window, counting each node execution once."""
    script, keys, args = execution_count_call(user_id=user_id, node_exec_id=node_exec_id)
    return int(get_redis().eval(script, len(keys), *keys, *args))


def _execution_count(*, user_id: uuid.UUID | str, node_exec_id: uuid.UUID | str) -> int:
    try:
        return execution_count_increment(user_id=user_id, node_exec_id=node_exec_id)
    except (RedisError, OSError) as error:
        # The execution-count charge is a small surcharge; losing one count while Redis
        # is away is better than failing the node.
        logger.warning("execution_count_unavailable", error=type(error).__name__)
        return 0


def credits_charge_node_execution(
    *,
    user_id: uuid.UUID | str,
    node_exec_id: uuid.UUID | str,
    graph_exec_id: uuid.UUID | str,
    graph_id: uuid.UUID | str,
    node_id: uuid.UUID | str,
    block: Block,
    input_data: dict[str, Any],
    agent_name: str | None = None,
    execution_count: int | None = None,
) -> int:
    """Charges one node execution before its block runs; returns the credits it costs.

    Idempotent per `node_exec_id`: called again (a redelivered task), it charges
    nothing more and returns what the first call charged. Raises
    `InsufficientBalanceError` (and publishes ZERO_BALANCE) when the balance is short;
    nothing is written then. Publishes LOW_BALANCE when the charge crosses below
    `LOW_BALANCE_THRESHOLD`. With `ENABLE_CREDIT` off it does nothing and returns 0.
    `execution_count` is the node execution's count if the caller took it already.
    """
    if not settings.ENABLE_CREDIT:
        return 0
    usage = {
        "graph_exec_id": str(graph_exec_id),
        "graph_id": str(graph_id),
        "node_exec_id": str(node_exec_id),
        "node_id": str(node_id),
        "block_id": block.id,
        "block": block.name,
    }
    entries = []
    block_cost, matched_filter = block_usage_cost(block=block, input_data=input_data)
    if block_cost > 0:
        entries.append(
            Entry(
                amount=-block_cost,
                type=CreditTransactionType.USAGE,
                transaction_key=node_block_charge_key(node_exec_id),
                metadata={**usage, "input": matched_filter, "reason": f"Ran block {block.id} {block.name}"},
            )
        )
    if execution_count is None:
        execution_count = _execution_count(user_id=user_id, node_exec_id=node_exec_id)
    execution_cost = execution_usage_cost(execution_count)
    if execution_cost > 0:
        covered = settings.EXECUTION_COST_COUNT_THRESHOLD
        entries.append(
            Entry(
                amount=-execution_cost,
                type=CreditTransactionType.USAGE,
                transaction_key=node_execution_cost_key(node_exec_id),
                metadata={
                    **usage,
                    "input": {"execution_count": covered, "charge": "Execution Cost"},
                    "reason": f"Execution Cost for {covered} blocks of ex_id:{graph_exec_id} g_id:{graph_id}",
                },
            )
        )
    if not entries:
        return 0

    try:
        postings = ledger_post(user_id=user_id, entries=entries)
    except InsufficientBalanceError as error:
        notify_zero_balance(user_id=user_id, balance=error.balance, shortfall=error.shortfall, agent_name=agent_name)
        raise

    written = [posting for posting in postings if posting.created]
    if written:
        before, after = written[0].balance_before, written[-1].transaction.running_balance
        if after < settings.LOW_BALANCE_THRESHOLD <= before:
            notify_low_balance(user_id=user_id, balance=after)
    return -sum(posting.transaction.amount for posting in postings)

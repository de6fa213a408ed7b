"""What a node execution costs, before its block runs (upstream's `block_usage_cost`).

A block declares `costs`; `settings.BLOCK_COSTS` may replace them per block id:

    BLOCK_COSTS = {
        "<block uuid>": [
            {"cost_amount": 3, "cost_filter": {"model": "gpt-4o"}, "cost_type": "run"},
            {"cost_amount": 1},                      # no filter: matches any input
        ],
        "<another block uuid>": [],                  # free, whatever the block declares
    }

The first cost whose `cost_filter` matches the node's input is the price. Only RUN
costs are charged up front: a matching BYTE or SECOND cost counts 0 before the block
has run, as upstream.

A block that takes credentials costs its price only when the node runs on the
platform's credentials (the operator pays the provider then); on the user's own it
costs nothing. Upstream gets there through cost filters naming the platform
credentials' ids; here it holds for every price, so a `BLOCK_COSTS` entry cannot
forget it. Blocks without credentials keep their price.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from apps.blocks.base import Block, BlockCost, BlockCostType
from apps.credentials.fields import credentials_fields
from apps.credentials.platform import is_platform_credentials_id


def block_cost_from_dict(raw: dict[str, Any]) -> BlockCost:
    """A `BLOCK_COSTS` item; raises ValueError (or TypeError) when it is malformed."""
    unknown = set(raw) - {"cost_amount", "cost_filter", "cost_type"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    amount = raw["cost_amount"]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValueError(f"cost_amount must be a non-negative integer, not {amount!r}")
    cost_filter = raw.get("cost_filter") or {}
    if not isinstance(cost_filter, dict):
        raise ValueError(f"cost_filter must be an object, not {cost_filter!r}")
    return BlockCost(cost_amount=amount, cost_filter=cost_filter, cost_type=BlockCostType(raw.get("cost_type", "run")))


def block_costs(block: Block) -> tuple[BlockCost, ...]:
    """The block's prices: the `BLOCK_COSTS` entry for its id if there is one, else its own."""
    override = settings.BLOCK_COSTS.get(block.id)
    if override is None:
        return block.costs
    return tuple(block_cost_from_dict(raw) for raw in override)


def cost_filter_matches(cost_filter: Any, input_data: Any) -> bool:
    """Upstream's `_is_cost_filter_match`: a recursive subset match of objects.

    Falsy values (missing, None, "", and also 0, False and empty containers, as
    upstream's truthiness test has it) are all equal to each other.
    """
    if not isinstance(cost_filter, dict) or not isinstance(input_data, dict):
        return bool(cost_filter == input_data)
    return all(
        (not input_data.get(key) and not expected)
        or bool(input_data.get(key) and cost_filter_matches(expected, input_data[key]))
        for key, expected in cost_filter.items()
    )


def runs_on_platform_credentials(*, block: Block, input_data: dict[str, Any]) -> bool:
    """Whether the node uses the platform's credentials, or the block takes none at all."""
    fields = credentials_fields(block.Input)
    if not fields:
        return True
    return any(
        isinstance(reference := input_data.get(name), dict) and is_platform_credentials_id(reference.get("id"))
        for name in fields
    )


def block_usage_cost(*, block: Block, input_data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(credits to charge before running, the matched filter) for one node execution."""
    if not runs_on_platform_credentials(block=block, input_data=input_data):
        return 0, {}
    for cost in block_costs(block):
        if not cost_filter_matches(cost.cost_filter, input_data):
            continue
        if cost.cost_type is BlockCostType.RUN:
            return cost.cost_amount, cost.cost_filter
        return 0, cost.cost_filter
    return 0, {}


def execution_usage_cost(count: int) -> int:
    """Credits for the `count`-th node execution of a user's window: every Nth costs M."""
    threshold = settings.EXECUTION_COST_COUNT_THRESHOLD
    if threshold <= 0 or count <= 0 or count % threshold:
        return 0
    return int(settings.EXECUTION_COST_PER_THRESHOLD)

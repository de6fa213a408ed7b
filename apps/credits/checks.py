"""A malformed `BLOCK_COSTS` is refused at start-up, not when a node is charged."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from apps.credits.costs import block_cost_from_dict


@register()
def check_block_costs(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    costs = settings.BLOCK_COSTS
    if not isinstance(costs, dict):
        return [Error("BLOCK_COSTS must map block ids to lists of costs.", id="credits.E001")]
    errors = []
    for block_id, items in costs.items():
        if not isinstance(items, list):
            errors.append(Error(f"BLOCK_COSTS[{block_id!r}] must be a list of costs.", id="credits.E001"))
            continue
        for index, raw in enumerate(items):
            try:
                if not isinstance(raw, dict):
                    raise TypeError("a cost must be an object")
                block_cost_from_dict(raw)
            except (KeyError, TypeError, ValueError) as error:
                errors.append(Error(f"BLOCK_COSTS[{block_id!r}][{index}]: {error}", id="credits.E001"))
    return errors

"""Counters a block reports about one execution, which the engine adds to the node's `stats`.

A block finds the object under `execution_stats` in its context (absent when it
runs outside the engine, so blocks fall back to a throwaway one). The names are
upstream's `NodeExecutionStats` fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class ExecutionStats:
    input_token_count: int = 0
    output_token_count: int = 0
    llm_call_count: int = 0
    llm_retry_count: int = 0

    def add(self, other: ExecutionStats) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        """The counters a block reported: those it left at zero stay out of the node's stats."""
        return {name: value for name, value in asdict(self).items() if value}


def execution_stats(context: dict[str, Any]) -> ExecutionStats:
    stats = context.get("execution_stats")
    return stats if isinstance(stats, ExecutionStats) else ExecutionStats()

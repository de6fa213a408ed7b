"""Serialising writers of one node's execution queue within one run.

On PostgreSQL a transaction-scoped advisory lock per (run, node); SQLite runs
one writing transaction at a time anyway (IMMEDIATE transactions), so there
the lock is implicit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def lock_node_queues(run_id: object, node_ids: Iterable[object]) -> None:
    """Locks the queues in a stable order, so two transactions never wait on each other in a cycle."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(f"{run_id}:{node_id}" for node_id in set(node_ids))
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) FROM unnest(%s::text[]) AS key ORDER BY key",
            [keys],
        )

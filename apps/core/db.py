"""Database connection handling shared by web requests and workers."""

from __future__ import annotations

from django.db import connection


def release_connection() -> None:
    """Gives this thread's database connection back (to the pool, or closes it) before a wait that
    needs none, unless a transaction is open. The next query opens one again."""
    if not connection.in_atomic_block:
        connection.close()

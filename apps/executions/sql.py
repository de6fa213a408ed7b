"""The engine's two hottest statements, as single `UPDATE ... RETURNING` round trips.

The ORM would need an UPDATE and a SELECT for each; these run once per node
execution. `Model.objects.raw` maps the returned row onto the model with the
usual field conversions. Works on PostgreSQL and SQLite (>= 3.35).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from apps.executions.models import GraphExecution, NodeExecution


def _uuid(value: Any) -> Any:
    return NodeExecution._meta.pk.get_db_prep_value(value, connection)  # type: ignore[union-attr]


def _when(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def claim_node_execution(
    *, node_exec_id: Any, run_id: Any, node_id: Any, now: datetime, lease_until: datetime
) -> NodeExecution | None:
    """QUEUED -> RUNNING for the head of its node's queue, if no execution of that node is running."""
    table = NodeExecution._meta.db_table
    sql = f"""
        UPDATE {table} SET status = 'RUNNING', started_at = %s, attempt = attempt + 1, lease_expires_at = %s
        WHERE id = %s AND status = 'QUEUED' AND NOT EXISTS (
            SELECT 1 FROM {table} other
            WHERE other.graph_execution_id = %s AND other.node_id = %s
              AND (other.status = 'RUNNING' OR (other.status = 'QUEUED' AND other.added_at < {table}.added_at))
        )
        RETURNING *
    """
    params = [_when(now), _when(lease_until), _uuid(node_exec_id), _uuid(run_id), _uuid(node_id)]
    rows = list(NodeExecution.objects.raw(sql, params))
    return rows[0] if rows else None


def count_into_run(
    *, run_id: Any, steps: int, errors: int, cost: int, walltime: float, cputime: float, error: str, now: datetime
) -> GraphExecution:
    """Adds to the run's counters (taking its row lock until commit) and returns the updated run."""
    table = GraphExecution._meta.db_table
    sql = f"""
        UPDATE {table}
        SET node_count = node_count + %s, node_error_count = node_error_count + %s, cost = cost + %s,
            nodes_walltime = nodes_walltime + %s, nodes_cputime = nodes_cputime + %s,
            error = CASE WHEN error = '' THEN %s ELSE error END, updated_at = %s
        WHERE id = %s
        RETURNING *
    """
    params = [steps, errors, cost, walltime, cputime, error, _when(now), _uuid(run_id)]
    return list(GraphExecution.objects.raw(sql, params))[0]

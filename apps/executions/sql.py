"""The statements every node execution runs, written out once.

They run several times per node; the ORM would spend more time compiling them
than the database spends running them, and would need an UPDATE and a SELECT
where `UPDATE ... RETURNING` does both. Values are adapted by the fields
themselves (`get_db_prep_*`), and `Model.objects.raw` maps returned rows with
the usual conversions. Works on PostgreSQL and SQLite (>= 3.35).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import AutoField, DateTimeField, Field, Model

from apps.executions.models import GraphExecution, NodeExecution


def _uuid(value: Any) -> Any:
    return NodeExecution._meta.get_field("id").get_db_prep_value(value, connection)


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


RUN_COUNTERS = (
    "status", "started_at", "ended_at", "node_count", "node_error_count", "cost",
    "nodes_walltime", "nodes_cputime", "error", "stop_requested_at", "halted_at",
)  # fmt: skip


def _as_datetime(value: Any) -> datetime | None:
    """A timestamp as a plain cursor returns it (SQLite: naive, or text) as an aware UTC datetime."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def count_into_run(
    *, run_id: Any, steps: int, errors: int, cost: int, walltime: float, cputime: float, error: str, now: datetime
) -> dict[str, Any]:
    """Adds to the run's counters (taking its row lock until commit); returns the run's changing fields."""
    table = GraphExecution._meta.db_table
    sql = f"""
        UPDATE {table}
        SET node_count = node_count + %s, node_error_count = node_error_count + %s, cost = cost + %s,
            nodes_walltime = nodes_walltime + %s, nodes_cputime = nodes_cputime + %s,
            error = CASE WHEN error = '' THEN %s ELSE error END, updated_at = %s
        WHERE id = %s
        RETURNING {", ".join(RUN_COUNTERS)}
    """
    params = [steps, errors, cost, walltime, cputime, error, _when(now), _uuid(run_id)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = dict(zip(RUN_COUNTERS, cursor.fetchone(), strict=True))
    for name in ("started_at", "ended_at", "stop_requested_at", "halted_at"):
        values[name] = _as_datetime(values[name])
    return values


def _preparer(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """How a field's value is sent. Timestamps here are always aware (or None), so they skip
    `DateTimeField`'s checks for naive values, the dearest part of its preparation."""
    if isinstance(field, DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    return lambda value: field.get_db_prep_save(value, connection)


@dataclass(frozen=True)
class InsertPlan:
    """A model's INSERT, worked out once: its fields, those with defaults, the statement's parts."""

    attnames: list[str]
    preparers: list[Callable[[Any], Any]]
    defaulted: list[Field[Any, Any]]
    head: str
    row: str


@functools.cache
def _insert_plan(model: type[Model], vendor: str) -> InsertPlan:
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoField)]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    return InsertPlan(
        attnames=[field.attname for field in fields],
        preparers=[_preparer(field) for field in fields],
        defaulted=[field for field in fields if field.has_default()],
        head=f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ",
        row="(" + ", ".join(["%s"] * len(fields)) + ")",
    )


def insert_rows(model: type[Model], objects: Sequence[Model]) -> None:
    """A multi-row INSERT of every concrete field, without the ORM's per-call query compilation.

    Values are prepared by each field as `bulk_create` would send them;
    auto-increment keys are left to the database.
    """
    if not objects:
        return
    plan = _insert_plan(model, connection.vendor)
    for obj in objects:
        for field in plan.defaulted:
            if getattr(obj, field.attname) is None:
                setattr(obj, field.attname, field.get_default())
    sql = plan.head + ", ".join([plan.row] * len(objects))
    params = [
        prepare(getattr(obj, attname))
        for obj in objects
        for attname, prepare in zip(plan.attnames, plan.preparers, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclass
class QueueState:
    """Of some nodes' executions in a run: the INCOMPLETE ones (oldest first), which nodes are busy,
    and the oldest QUEUED execution of one node."""

    pending: list[NodeExecution]
    busy: dict[str, set[str]]  # node id -> the statuses among QUEUED, RUNNING it has
    head: uuid.UUID | None = None


def queue_state(
    *, run_id: Any, node_ids: Sequence[str], pending_for: Sequence[str], head_of: str | None = None
) -> QueueState:
    """One round trip: the INCOMPLETE executions of `pending_for`, which of `node_ids` are busy,
    and the id of the execution at the head of `head_of`'s queue.

    Only which statuses a node has, not its rows: a node may have hundreds of
    executions queued behind its running one. (The busy rows repeat `node_id` in
    the id column only so that every part of the UNION has the same types.)
    """
    table = NodeExecution._meta.db_table
    nodes = ", ".join(["%s"] * len(node_ids))
    pending_nodes = ", ".join(["%s"] * len(pending_for)) or "NULL"
    sql = f"""
        SELECT node_id, status, id FROM {table}
        WHERE graph_execution_id = %s AND node_id IN ({pending_nodes}) AND status = 'INCOMPLETE'
        UNION ALL
        SELECT DISTINCT node_id, status, node_id FROM {table}
        WHERE graph_execution_id = %s AND node_id IN ({nodes}) AND status IN ('QUEUED', 'RUNNING')
    """
    run = _uuid(run_id)
    params = [run, *(_uuid(node_id) for node_id in pending_for), run, *(_uuid(node_id) for node_id in node_ids)]
    if head_of is not None:
        sql += f"""
        UNION ALL
        SELECT * FROM (
            SELECT node_id, 'HEAD', id FROM {table}
            WHERE graph_execution_id = %s AND node_id = %s AND status = 'QUEUED'
            ORDER BY added_at, id LIMIT 1
        ) head
        """
        params += [run, _uuid(head_of)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    busy: dict[str, set[str]] = {}
    pending_ids = []
    head = None
    for node_id, status, execution_id in rows:
        if status == "INCOMPLETE":
            pending_ids.append(execution_id)
        elif status == "HEAD":
            head = uuid.UUID(str(execution_id))
        else:
            busy.setdefault(str(uuid.UUID(str(node_id))), set()).add(status)
    # Usually nothing is pending (a chain); only then is it worth building model instances.
    pending = list(NodeExecution.objects.filter(pk__in=pending_ids).order_by("added_at", "id")) if pending_ids else []
    return QueueState(pending=pending, busy=busy, head=head)


def end_node_execution(
    *, node_exec_id: Any, attempt: int, status: str, ended_at: datetime, stats: dict[str, Any]
) -> bool:
    """RUNNING -> a final status, only for the claim that is still ours (same attempt)."""
    table = NodeExecution._meta.db_table
    sql = f"""
        UPDATE {table} SET status = %s, ended_at = %s, stats = %s, lease_expires_at = NULL
        WHERE id = %s AND attempt = %s AND status = 'RUNNING'
    """
    stats_field = NodeExecution._meta.get_field("stats")
    params = [status, _when(ended_at), stats_field.get_db_prep_save(stats, connection), _uuid(node_exec_id), attempt]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)

"""The statements every node execution runs, written out once.

They run several times per node; the ORM would spend more time compiling them
than the database spends running them, and would need an UPDATE and a SELECT
where `UPDATE ... RETURNING` does both. Values are adapted by the fields
themselves (`get_db_prep_*`), and `Model.objects.raw` maps returned rows with
the usual conversions. Status conditions come from the transition table
(`status.sources_sql`). Works on PostgreSQL and SQLite (>= 3.35).
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import AutoField, DateTimeField, Field, Model

from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution, NodeExecutionOutput
from apps.executions.status import sources_sql

NODE_EXECUTIONS = NodeExecution._meta.db_table
RUNS = GraphExecution._meta.db_table
OUTPUTS = NodeExecutionOutput._meta.db_table


def _uuid(value: Any) -> Any:
    return NodeExecution._meta.get_field("id").get_db_prep_value(value, connection)


def _when(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _json(value: Any) -> Any:
    return NodeExecution._meta.get_field("stats").get_db_prep_save(value, connection)


def _as_datetime(value: Any) -> datetime | None:
    """A timestamp as a plain cursor returns it (SQLite: naive, or text) as an aware UTC datetime."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@contextlib.contextmanager
def pipelined() -> Iterator[None]:
    """Statements run inside are sent without waiting for each one's result (PostgreSQL's pipeline
    mode): writes whose results nobody reads share one round trip, at the end of the block or with
    the next read, which waits for them first, so their order holds. Elsewhere they run one by one.

    Only for statements whose results are fetched (SELECT, RETURNING) or not read at all: a
    cursor's `rowcount` is not known before the pipeline syncs.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def claim_node_executions(*, ids: Sequence[Any], now: datetime, lease_until: datetime) -> list[NodeExecution]:
    """QUEUED -> RUNNING for those of `ids` still queued; a duplicated task finds nothing to claim."""
    if not ids:
        return []
    sql = f"""
        UPDATE {NODE_EXECUTIONS}
        SET status = '{S.RUNNING}', started_at = %s, attempt = attempt + 1, lease_expires_at = %s
        WHERE id IN ({", ".join(["%s"] * len(ids))}) AND status IN ({sources_sql(S.RUNNING)})
        RETURNING *
    """
    params = [_when(now), _when(lease_until), *(_uuid(pk) for pk in ids)]
    return sorted(NodeExecution.objects.raw(sql, params), key=lambda row: (row.added_at, str(row.pk)))


@dataclass(frozen=True)
class RunState:
    stop_requested_at: datetime | None
    halted_at: datetime | None

    @property
    def is_stopping(self) -> bool:
        return self.stop_requested_at is not None or self.halted_at is not None


def lock_run(*, run_id: Any) -> RunState:
    """Takes the run's row lock for the transaction: every engine write to a run's executions does,
    first, so writers of one run take turns and never wait on each other in a cycle."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        with pipelined():  # the transaction's BEGIN goes in the same round trip
            cursor.execute(f"SELECT stop_requested_at, halted_at FROM {RUNS} WHERE id = %s{lock}", [_uuid(run_id)])
        stop_requested_at, halted_at = cursor.fetchone()
    return RunState(_as_datetime(stop_requested_at), _as_datetime(halted_at))


RUN_COUNTERS = (
    "status", "started_at", "ended_at", "node_count", "node_error_count", "cost",
    "nodes_walltime", "nodes_cputime", "error", "stop_requested_at", "halted_at", "updated_at",
)  # fmt: skip


def count_into_run(
    *, run_id: Any, steps: int, errors: int, cost: int, walltime: float, cputime: float, error: str, now: datetime
) -> dict[str, Any]:
    """Adds to the run's counters; returns the run's changing fields."""
    sql = f"""
        UPDATE {RUNS}
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
    for name in ("started_at", "ended_at", "stop_requested_at", "halted_at", "updated_at"):
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
    # A row of a VALUES list in a SELECT: PostgreSQL types its columns from the values (a list of
    # NULLs would be text), so each is cast to its column's type.
    typed_row: str


@functools.cache
def _insert_plan(model: type[Model], vendor: str) -> InsertPlan:
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoField)]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    typed = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    return InsertPlan(
        attnames=[field.attname for field in fields],
        preparers=[_preparer(field) for field in fields],
        defaulted=[field for field in fields if field.has_default()],
        head=f"INSERT INTO {model._meta.db_table} ({columns}) ",
        row=row,
        typed_row=typed if vendor == "postgresql" else row,
    )


def insert_rows(model: type[Model], objects: Sequence[Model], *, where: tuple[str, list[Any]] | None = None) -> None:
    """A multi-row INSERT of every concrete field, without the ORM's per-call query compilation.

    Values are prepared by each field as `bulk_create` would send them;
    auto-increment keys are left to the database. With `where` (a condition and its
    parameters), the rows go in only if the condition holds when the statement runs.
    """
    if not objects:
        return
    plan = _insert_plan(model, connection.vendor)
    for obj in objects:
        for field in plan.defaulted:
            if getattr(obj, field.attname) is None:
                setattr(obj, field.attname, field.get_default())
    params = [
        prepare(getattr(obj, attname))
        for obj in objects
        for attname, prepare in zip(plan.attnames, plan.preparers, strict=True)
    ]
    if where is None:
        sql = plan.head + "VALUES " + ", ".join([plan.row] * len(objects))
    else:
        condition, condition_params = where
        rows = ", ".join([plan.typed_row] * len(objects))
        sql = plan.head + f"SELECT * FROM (VALUES {rows}) AS guarded WHERE {condition}"
        params += condition_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclass(frozen=True)
class InLine:
    """An execution of a node whose outputs are not all handed on yet, in hand-on order."""

    id: uuid.UUID
    status: str
    handed_on: int
    written: int


@dataclass
class QueueState:
    """The INCOMPLETE executions of some sink nodes (their ids, oldest first), and one node's hand-on line."""

    pending_ids: list[uuid.UUID]
    line: list[InLine]


HAND_ON_LINE = 50


def queue_state(*, run_id: Any, pending_for: Sequence[str], line_of: str | None = None) -> QueueState:
    """One round trip: the INCOMPLETE executions of the nodes `pending_for`, and the first executions of
    node `line_of` that have not handed on every output (skipping INCOMPLETE ones, which have none).

    (The UNION's parts share one column list: `kind` tells them apart.)
    """
    run = _uuid(run_id)
    pending_nodes = ", ".join(["%s"] * len(pending_for)) or "NULL"
    sql = f"""
        SELECT 'pending', id, status, 0, 0, added_at FROM {NODE_EXECUTIONS}
        WHERE graph_execution_id = %s AND node_id IN ({pending_nodes}) AND status = '{S.INCOMPLETE}'
    """
    params: list[Any] = [run, *(_uuid(node_id) for node_id in pending_for)]
    if line_of is not None:
        sql += f"""
        UNION ALL
        SELECT * FROM (
            SELECT 'line', e.id, e.status, e.handed_on,
                   (SELECT COUNT(*) FROM {OUTPUTS} o WHERE o.node_execution_id = e.id), e.added_at
            FROM {NODE_EXECUTIONS} e
            WHERE e.graph_execution_id = %s AND e.node_id = %s AND NOT e.drained AND e.status <> '{S.INCOMPLETE}'
            ORDER BY e.added_at, e.id LIMIT {HAND_ON_LINE}
        ) line
        """
        params += [run, _uuid(line_of)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    line = [
        InLine(uuid.UUID(str(pk)), status, int(handed_on), int(written))
        for kind, pk, status, handed_on, written, _ in rows
        if kind == "line"
    ]
    pending_ids = [uuid.UUID(str(row[1])) for row in rows if row[0] == "pending"]
    return QueueState(pending_ids=pending_ids, line=line)


def end_node_execution(
    *,
    node_exec_id: Any,
    attempt: int,
    status: str,
    ended_at: datetime,
    stats: dict[str, Any],
    drained: bool,
    outputs: Sequence[NodeExecutionOutput] = (),
) -> bool:
    """RUNNING -> a final status, only for the claim that is still ours (same attempt), with the outputs
    not written yet: they go in only if the end did, in the same round trip on PostgreSQL."""
    sql = f"""
        UPDATE {NODE_EXECUTIONS} SET status = %s, ended_at = %s, stats = %s, lease_expires_at = NULL, drained = %s
        WHERE id = %s AND attempt = %s AND status IN ({sources_sql(status)})
        RETURNING id
    """
    node_exec_id = _uuid(node_exec_id)
    ended = (
        f"EXISTS (SELECT 1 FROM {NODE_EXECUTIONS} WHERE id = %s AND attempt = %s AND status = %s)",
        [node_exec_id, attempt, status],
    )
    with connection.cursor() as cursor:
        with pipelined():
            cursor.execute(sql, [status, _when(ended_at), _json(stats), drained, node_exec_id, attempt])
            insert_rows(NodeExecutionOutput, outputs, where=ended)
        return cursor.fetchone() is not None


def renew_leases(*, claims: Sequence[tuple[Any, int]], lease_until: datetime | None) -> set[uuid.UUID]:
    """Extends the leases of executions still ours (same attempt, still RUNNING); returns their ids."""
    if not claims:
        return set()
    ours = " OR ".join(["(id = %s AND attempt = %s)"] * len(claims))
    sql = f"""
        UPDATE {NODE_EXECUTIONS} SET lease_expires_at = %s
        WHERE ({ours}) AND status = '{S.RUNNING}'
        RETURNING id
    """
    params = [_when(lease_until), *(value for pk, attempt in claims for value in (_uuid(pk), attempt))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {uuid.UUID(str(row[0])) for row in cursor.fetchall()}


def set_handed_on(*, node_exec_id: Any, handed_on: int, drained: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {NODE_EXECUTIONS} SET handed_on = %s, drained = %s WHERE id = %s",
            [handed_on, drained, _uuid(node_exec_id)],
        )


def outputs_from(*, node_exec_id: Any, position: int) -> list[tuple[str, Any]]:
    """An execution's outputs from `position` on, in order."""
    return list(
        NodeExecutionOutput.objects.filter(node_execution_id=node_exec_id, position__gte=position)
        .order_by("position")
        .values_list("name", "data")
    )

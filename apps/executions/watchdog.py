"""A worker process's watchdog: block steps that never give their thread back are still stopped.

A session's blocks share its thread's event loop, and the loop's own means of
stopping a block (the time limit is a timeout, a stop cancels the task) only act
when the block yields to the loop. A step that never does (a blocking call, a
loop without `await`) would hold the thread, its other executions and its slot
for ever, with the run's row lock if the session's group was open. A thread
cannot be killed, so the watchdog, one thread per worker process, works in two
stages on a session whose loop has not come back for `ENGINE_POLL_SECONDS` plus
`ENGINE_STEP_GRACE_SECONDS`, when the step running is past its time limit or its
run is stopping:

1. **Interrupt.** It raises `StepInterrupted` in the session's thread
   (`PyThreadState_SetAsyncExc`). Python code (a loop computing) gets it at its
   next bytecode: the block ends FAILED (time limit) or TERMINATED (stop) by the
   session's usual path, and the thread goes on.
2. **Abandon.** A step still stuck `ENGINE_STEP_GRACE_SECONDS` later is in C code
   (a blocking call) that no exception reaches. The watchdog closes the session's
   database connection (so its open group, and the run's row lock, go: nothing it
   did since its last commit happened, as after a crash), ends the stuck execution
   itself through `worker.end_node_execution` (guarded by its attempt, so the thread's
   later writes are refused), puts the session's other executions back in the queue
   (or ends them TERMINATED if the run is stopping), and gives its slots back. If the
   thread ever comes back, its session sees it was abandoned and ends at once.

A stuck thread still counts against Celery's pool. When `ENGINE_WORKER_MAX_STUCK_THREADS`
of them are stuck, the process recycles: it takes no new node execution (each is
sent again a second later, for another worker or its successor), and once its
other sessions have ended it exits with status 75 for its supervisor to start a
fresh one. The messages of the abandoned tasks are never acked; when the broker
delivers them again, there is nothing left to claim.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from typing import TYPE_CHECKING

import structlog
from django.conf import settings

from apps.executions import dispatch
from apps.executions.context import cancel_requested
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import NodeExecution
from apps.executions.runner import STOPPED, Job, Outcome, StepInterrupted, time_limit_message
from apps.executions.status import transition

if TYPE_CHECKING:
    from apps.executions.worker import Session

logger = structlog.get_logger(__name__)

# What the process exits with when it recycles: "try again" (EX_TEMPFAIL), for its supervisor.
RECYCLE_EXIT_STATUS = 75


class SessionAbandoned(Exception):
    """The watchdog took a stuck session's work away; raised in its thread if it ever comes back."""


class Watchdog:
    def __init__(self) -> None:
        self._sessions: set[Session] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.stuck: set[int] = set()  # idents of threads whose session was abandoned and has not come back
        self.recycling = False

    def watch(self, session: Session) -> None:
        with self._lock:
            self._sessions.add(session)
            if self._thread is None:
                self._thread = threading.Thread(target=self._patrol, name="engine-watchdog", daemon=True)
                self._thread.start()

    def unwatch(self, session: Session) -> None:
        with self._lock:
            self._sessions.discard(session)
            self.stuck.discard(session.thread_id)

    def _patrol(self) -> None:
        while True:
            time.sleep(settings.ENGINE_POLL_SECONDS)
            with self._lock:
                sessions = [session for session in self._sessions if not session.abandoned]
            for session in sessions:
                try:
                    self._check(session)
                except Exception:
                    logger.exception("watchdog_check_failed", graph_exec_id=session.meta.id)
            if self.recycling and not sessions:
                logger.warning("worker_recycled", stuck_threads=len(self.stuck))
                os._exit(RECYCLE_EXIT_STATUS)

    def _check(self, session: Session) -> None:
        since = session.in_loop_since
        now = time.monotonic()
        grace = settings.ENGINE_STEP_GRACE_SECONDS
        if since is None or now - since < settings.ENGINE_POLL_SECONDS + grace:
            return  # the loop comes back as it should
        job = session.stepping()
        if job is None or job.block_run is None:
            return
        block_run = job.block_run
        if block_run.interrupted is None:
            if now - block_run.started >= block_run.time_limit + grace:
                outcome = Outcome(S.FAILED, time_limit_message(job.node.block.name, block_run.time_limit))
            elif cancel_requested(session.meta.id):
                outcome = Outcome(S.TERMINATED, STOPPED)
            else:
                return
            block_run.interrupted, block_run.interrupted_at = outcome, now
            logger.warning("block_step_interrupted", node_exec_id=str(job.row.pk), reason=outcome.error)
            _raise_in_thread(session.thread_id, StepInterrupted)
        elif now - block_run.interrupted_at >= grace:
            self._abandon(session, job, block_run.interrupted)

    def _abandon(self, session: Session, stuck: Job, outcome: Outcome) -> None:
        """Takes a stuck session's work away from it (see the module's docstring, stage 2)."""
        from apps.executions.worker import end_node_execution  # worker imports this module

        session.abandoned = True
        raw = session.open_connection
        if raw is not None:
            try:
                raw.close()  # rolls back its open group, releasing the run's row lock
            except Exception:  # noqa: BLE001 - a connection already broken is as good
                logger.warning("stuck_session_connection_not_closed", graph_exec_id=session.meta.id)
        jobs = list(session.jobs)
        freed = 0
        for job in jobs:
            if job.holds_slot:
                job.holds_slot, freed = False, freed + 1
        session.slots.give(freed)
        session.slots.share.release_all()
        stopping = outcome.status == S.TERMINATED
        requeued: list[NodeExecution] = []
        for job in jobs:
            row = NodeExecution.objects.filter(pk=job.row.pk, attempt=job.row.attempt, status=S.RUNNING).first()
            if row is None or row.lease_expires_at is None:
                continue  # ended, taken over, or an Agent node waiting for its child run (no lease to lose)
            if job is stuck or stopping:
                end_node_execution(row=row, outcome=outcome if job is stuck else Outcome(S.TERMINATED, STOPPED))
            elif transition(
                NodeExecution.objects.filter(pk=row.pk, attempt=row.attempt), S.QUEUED, lease_expires_at=None
            ):
                requeued.append(row)
        dispatch.send_node_executions([*requeued, *session.backlog])
        with self._lock:
            self.stuck.add(session.thread_id)
            stuck_threads = len(self.stuck)
            self._sessions.discard(session)
        logger.error(
            "block_step_abandoned",
            node_exec_id=str(stuck.row.pk),
            reason=outcome.error,
            requeued=len(requeued),
            stuck_threads=stuck_threads,
        )
        if stuck_threads >= settings.ENGINE_WORKER_MAX_STUCK_THREADS:
            self.recycling = True


def _raise_in_thread(thread_id: int, exception: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))


_watchdog = Watchdog()


def watchdog() -> Watchdog:
    return _watchdog


def recycling() -> bool:
    return _watchdog.recycling

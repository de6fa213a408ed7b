"""Fair sharing: one user's runs hold at most ENGINE_USER_MAX_SLOTS worker slots; the rest wait QUEUED."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.executions.models import ExecutionStatus, NodeExecution
from tests.conftest import client_for, funded_user
from tests.executions.test_engine_control import timer_graph
from tests.graph_builders import COUNTDOWN_TIMER
from tests.runs import create_graph, execute, wait_for_run
from tests.worker import Worker, worker_on_own_queue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(300)]

CAP = 2


@pytest.fixture(scope="module")
def capped_worker(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    with worker_on_own_queue(
        tmp_path_factory.mktemp("capped-worker") / "worker.log",
        {"ENGINE_USER_MAX_SLOTS": str(CAP), "ENGINE_WORKER_CONCURRENCY": "10"},
    ) as worker:
        yield worker


class RunningTimers:
    """Samples, every 20 ms, how many timer executions of each user run."""

    def __init__(self) -> None:
        self.samples: list[dict[Any, int]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def __enter__(self) -> RunningTimers:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.is_set():
            running = NodeExecution.objects.filter(node__block_id=COUNTDOWN_TIMER, status=ExecutionStatus.RUNNING)
            counts: dict[Any, int] = {}
            for user_id in running.values_list("graph_execution__user_id", flat=True):
                counts[user_id] = counts.get(user_id, 0) + 1
            self.samples.append(counts)
            time.sleep(0.02)
        connection.close()

    def most(self, user: User) -> int:
        return max(sample.get(user.pk, 0) for sample in self.samples)


@pytest.mark.usefixtures("capped_worker")
def test_one_users_runs_hold_at_most_their_share_of_slots_and_the_rest_wait(auth_client: APIClient, user: User) -> None:
    other = funded_user()
    many = create_graph(auth_client, timer_graph(2))
    other_client = client_for(other)
    with RunningTimers() as timers:
        runs = [execute(auth_client, many)["id"] for _ in range(CAP * 2)]
        deadline = time.monotonic() + 10
        while timers.most(user) < CAP:
            assert time.monotonic() < deadline, "the user's first runs never ran"
            time.sleep(0.05)
        # The first user is at the cap and has work waiting; another user's run starts all the same.
        waiting = NodeExecution.objects.filter(graph_execution_id__in=runs, status=ExecutionStatus.QUEUED).count()
        assert waiting >= 1
        theirs = execute(other_client, create_graph(other_client, timer_graph(2)))["id"]
        finished = [wait_for_run(run_id, timeout=40) for run_id in [*runs, theirs]]

    assert {run.status for run in finished} == {ExecutionStatus.COMPLETED}
    assert timers.most(user) == CAP
    assert timers.most(other) == 1
    # The other user's timer ran while the first user's were still waiting their turn.
    mine = finished[: CAP * 2]
    assert finished[-1].ended_at < max(run.ended_at for run in mine)

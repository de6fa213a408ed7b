"""Paying for runs: charges per node, the execution-count charge, running out, notifications."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.events import user_channel
from apps.core.redis import get_redis
from apps.credits.models import CreditTransaction
from apps.credits.selectors import credits_get_ledger_balance
from apps.credits.services import credits_grant
from apps.executions.models import ExecutionStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.graph_builders import CALCULATOR, STORE_VALUE, graph, link, node
from tests.runs import create_graph, execute, node_executions_of, run_details, wait_for_run
from tests.worker import PRICED_BLOCK_COST

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def calculators(count: int) -> dict:
    first = node(CALCULATOR, {"operation": "Add", "a": 1, "b": 1})
    chain = [first] + [node(CALCULATOR, {"operation": "Add", "b": 1}) for _ in range(count - 1)]
    return graph(chain, [link(a, "result", b, "a") for a, b in itertools.pairwise(chain)])


class Notifications:
    def __init__(self, user: User) -> None:
        self.messages: list[dict] = []
        self._pubsub = get_redis(socket_timeout=None).pubsub()
        self._pubsub.subscribe(user_channel(user.pk))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.1)
            if message and message["type"] == "message":
                self.messages.append(json.loads(message["data"]))

    def types(self, timeout: float = 5) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(m["data"]["type"] == "AGENT_RUN" for m in self.messages):
            time.sleep(0.05)
        self._stop.set()
        self._thread.join(timeout=2)
        self._pubsub.close()
        return [m["data"]["type"] for m in self.messages]


def test_each_priced_node_is_charged_once_and_the_run_adds_it_up(user: User, auth_client: APIClient) -> None:
    created = create_graph(auth_client, calculators(3))
    before = credits_get_ledger_balance(user_id=user.pk)

    run = wait_for_run(execute(auth_client, created)["id"])

    charges = CreditTransaction.objects.filter(user=user, type="USAGE")
    executions = node_executions_of(str(run.id), CALCULATOR)
    assert sorted(c.transaction_key for c in charges) == sorted(f"node_exec:{e.pk}" for e in executions)
    assert {c.amount for c in charges} == {-PRICED_BLOCK_COST}
    assert charges.first().metadata["graph_exec_id"] == str(run.id)
    assert credits_get_ledger_balance(user_id=user.pk) == before - 3 * PRICED_BLOCK_COST
    assert run_details(auth_client, {"id": str(run.id), "graph_id": created["id"]})["stats"]["cost"] == 15


def test_the_hundredth_node_execution_costs_one_credit(user: User, auth_client: APIClient) -> None:
    get_redis().set(f"uec:{user.pk}", 98)
    created = create_graph(auth_client, graph([node(STORE_VALUE, {"input": i}) for i in range(3)]))

    run = wait_for_run(execute(auth_client, created)["id"])

    execution_charges = CreditTransaction.objects.filter(user=user, transaction_key__endswith=":execution_cost")
    assert [c.amount for c in execution_charges] == [-1]
    assert execution_charges[0].metadata["input"] == {"execution_count": 100, "charge": "Execution Cost"}
    assert int(get_redis().get(f"uec:{user.pk}")) == 101
    assert run.cost == 1


def test_the_execution_count_taken_ahead_for_a_chained_node_counts_that_node_once(
    user: User, auth_client: APIClient
) -> None:
    # In a chain each successor runs on the worker that finished its predecessor, and its
    # count is taken in the round trip that publishes the predecessor's events.
    get_redis().set(f"uec:{user.pk}", 98)
    created = create_graph(auth_client, calculators(3))

    run = wait_for_run(execute(auth_client, created)["id"])

    second = sorted(node_executions_of(str(run.id), CALCULATOR), key=lambda e: e.added_at)[1]
    execution_charges = CreditTransaction.objects.filter(user=user, transaction_key__endswith=":execution_cost")
    assert [c.transaction_key for c in execution_charges] == [f"node_exec:{second.pk}:execution_cost"]
    assert int(get_redis().get(f"uec:{user.pk}")) == 101


def test_running_out_mid_run_fails_that_node_and_stops_the_run() -> None:
    poor = UserFactory()
    credits_grant(user_id=poor.pk, amount=PRICED_BLOCK_COST + 2, transaction_key="a-little")
    client = client_for(poor)
    created = create_graph(client, calculators(3))
    notifications = Notifications(poor)

    run = wait_for_run(execute(client, created)["id"])
    types = notifications.types()

    executions = node_executions_of(str(run.id), CALCULATOR)
    assert [e.status for e in executions] == [ExecutionStatus.COMPLETED, ExecutionStatus.FAILED]
    error = executions[1].outputs.get(name="error").data
    assert error == "Insufficient balance of $0.02, where this will cost $0.05"
    assert run.status == ExecutionStatus.FAILED
    assert run.error == error
    assert credits_get_ledger_balance(user_id=poor.pk) == 2
    assert "ZERO_BALANCE" in types
    assert types[-1] == "AGENT_RUN"


def test_a_user_without_credits_cannot_start_a_run() -> None:
    broke = client_for(UserFactory())
    created = create_graph(broke, calculators(1))

    response = broke.post(f"/api/graphs/{created['id']}/execute/1", {"inputs": {}}, format="json")

    assert response.status_code == 402
    assert response.json()["detail"] == "Insufficient balance to execute the agent. Please top up your account."


def test_the_end_of_a_run_is_announced_with_its_cost(user: User, auth_client: APIClient) -> None:
    created = create_graph(auth_client, calculators(2))
    notifications = Notifications(user)

    run = wait_for_run(execute(auth_client, created)["id"])
    notifications.types()

    agent_run = next(m["data"]["event"] for m in notifications.messages if m["data"]["type"] == "AGENT_RUN")
    assert agent_run["graph_exec_id"] == str(run.id)
    assert agent_run["credits_used"] == 2 * PRICED_BLOCK_COST
    assert agent_run["node_count"] == 2

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.executions.models import ExecutionStatus, GraphExecution
from apps.executions.services import execution_start
from apps.graphs.selectors import graph_get_for_user
from apps.graphs.services import graph_create
from apps.graphs.spec import GraphSpec
from tests.factories import UserFactory
from tests.graph_builders import STORE_VALUE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def queued_run(user: User) -> GraphExecution:
    spec = GraphSpec.from_payload({"nodes": [{"id": "a", "block_id": STORE_VALUE, "input_default": {"input": 1}}]})
    graph = graph_get_for_user(user=user, graph_id=graph_create(user=user, spec=spec).graph_id)
    with mock.patch("apps.executions.services.send_node_executions"):
        return execution_start(user=user, graph=graph, inputs={})


def test_staff_list_runs_filtered_by_status_and_read_their_node_executions(admin: Client, user: User) -> None:
    run = queued_run(user)

    listing = admin.get("/admin/executions/graphexecution/?status__exact=QUEUED")
    detail = admin.get(f"/admin/executions/graphexecution/{run.pk}/change/")

    assert listing.status_code == 200
    assert str(run.pk) in listing.content.decode()
    assert detail.status_code == 200
    assert "QUEUED" in detail.content.decode()
    assert (
        admin.get("/admin/executions/graphexecution/?status__exact=COMPLETED").content.decode().count(str(run.pk)) == 0
    )


def test_the_stop_action_stops_runs_through_the_engine(admin: Client, user: User) -> None:
    run = queued_run(user)

    response = admin.post(
        "/admin/executions/graphexecution/", {"action": "stop", "_selected_action": [str(run.pk)]}, follow=True
    )

    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == ExecutionStatus.TERMINATED
    assert run.stop_requested_at is not None


def test_runs_cannot_be_edited_in_the_admin(admin: Client, user: User) -> None:
    run = queued_run(user)

    response = admin.post(f"/admin/executions/graphexecution/{run.pk}/change/", {"status": "COMPLETED"})

    run.refresh_from_db()
    assert response.status_code == 403
    assert run.status == ExecutionStatus.QUEUED

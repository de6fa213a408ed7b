"""/ws end to end: the `websockets` client against a real daphne, runs executed by a real Celery worker."""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from rest_framework.test import APIClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from apps.accounts.models import User
from apps.executions.dispatch import send_node_executions
from apps.executions.events import EventBatch
from tests.factories import UserFactory
from tests.graph_builders import STEP_THROUGH_ITEMS, STORE_VALUE, graph, link, node
from tests.realtime.conftest import access_token
from tests.runs import create_graph, execute, wait_for_run
from tests.web import Web

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "user_has_credits"),
]

FINAL = {"COMPLETED", "FAILED", "TERMINATED"}
RANK = {"INCOMPLETE": 0, "QUEUED": 1, "RUNNING": 2, "COMPLETED": 3, "FAILED": 3, "TERMINATED": 3}


class LiveSocket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    def send(self, message: Any) -> None:
        self.connection.send(message if isinstance(message, str) else json.dumps(message))

    def receive_text(self, timeout: float = 30) -> str:
        return str(self.connection.recv(timeout=timeout))

    def receive(self, timeout: float = 30) -> dict[str, Any]:
        return dict(json.loads(self.receive_text(timeout)))

    def request(self, message: Any) -> dict[str, Any]:
        self.send(message)
        return self.receive()

    def until(self, done: Callable[[dict[str, Any]], bool], timeout: float = 60) -> list[dict[str, Any]]:
        """Every message up to and including the first for which `done` holds."""
        messages = []
        while True:
            messages.append(self.receive(timeout))
            if done(messages[-1]):
                return messages


@contextmanager
def live_socket(web: Web, query: str, **options: Any) -> Iterator[LiveSocket]:
    with connect(f"{web.ws}?{query}", proxy=None, open_timeout=30, max_size=None, **options) as connection:
        yield LiveSocket(connection)


def subscribe_run(run_id: str) -> dict[str, Any]:
    return {"method": "subscribe_graph_execution", "data": {"graph_exec_id": run_id}}


def subscribe_graph(graph_id: str) -> dict[str, Any]:
    return {"method": "subscribe_graph_executions", "data": {"graph_id": graph_id}}


def chain(length: int) -> dict[str, Any]:
    nodes = [node(STORE_VALUE, {"input": "start"} if index == 0 else {}) for index in range(length)]
    return graph(nodes, [link(source, "output", sink, "input") for source, sink in itertools.pairwise(nodes)])


@contextmanager
def dispatch_held() -> Iterator[Callable[[], None]]:
    """Starts runs without sending them to the worker until `release()`: a test subscribes to a run
    before it moves, so it can see all of it."""
    with mock.patch("apps.executions.services.send_node_executions") as held:
        yield lambda: [send_node_executions(*call.args) for call in held.call_args_list]


def is_final_run_event(run_id: str, on: str = "graph_exec#") -> Callable[[dict[str, Any]], bool]:
    """The run's last event, on the run's channel (or, with `on="|executions"`, its graph's)."""

    def final(message: dict[str, Any]) -> bool:
        return (
            message["method"] == "graph_execution_event"
            and on in (message["channel"] or "")
            and message["data"]["id"] == run_id
            and message["data"]["status"] in FINAL
        )

    return final


# --- the connection ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "reason"),
    [("", 4001, "Missing authentication token"), ("token=not-a-jwt", 4003, "Invalid token")],
)
def test_a_client_sees_the_close_code_and_reason(web_process: Web, query: str, code: int, reason: str) -> None:
    with live_socket(web_process, query) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.receive_text()

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (code, reason)


def test_heartbeats_errors_and_limits_over_daphne(web_process: Web, auth_client: APIClient, user: User) -> None:
    graph_ids = [create_graph(auth_client, chain(1))["id"] for _ in range(6)]
    with live_socket(web_process, f"token={access_token(user)}") as ws:
        ws.send({"method": "heartbeat", "data": "ping"})
        assert ws.receive_text() == '{"method":"heartbeat","data":"pong","success":true}'
        ws.send("{not json")
        assert ws.receive()["error"] == "Invalid message format. Review the schema and retry"
        too_big = ws.request({"method": "heartbeat", "data": "x" * 5000})
        accepted = [ws.request(subscribe_graph(graph_id)) for graph_id in graph_ids[:5]]
        refused = ws.request(subscribe_graph(graph_ids[5]))
        ws.send({"method": "heartbeat", "data": "ping"})
        still_open = ws.receive()

    assert too_big["data"] == {"code": "MESSAGE_TOO_LARGE", "max_bytes": 4096}
    assert [reply["channel"] for reply in accepted] == [f"{user.pk}|graph#{g}|executions" for g in graph_ids[:5]]
    assert refused["data"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "max_subscriptions": 5}
    assert still_open["data"] == "pong"


def test_someone_elses_run_is_refused_over_daphne(web_process: Web, auth_client: APIClient) -> None:
    run = execute(auth_client, create_graph(auth_client, chain(1)))
    stranger = UserFactory()

    with live_socket(web_process, f"token={access_token(stranger)}") as ws:
        refused = ws.request(subscribe_run(run["id"]))
    # The run ends before the test's data is flushed: a worker writing to the tables as they are
    # truncated could deadlock with the flush.
    wait_for_run(run["id"])

    assert refused["data"] == {"code": "NOT_FOUND"}
    assert refused["error"] == f"Graph execution #{run['id']} not found."


# --- a run, live ------------------------------------------------------------------


def test_a_watched_run_shows_each_node_in_order_then_the_final_run_event(
    web_process: Web, auth_client: APIClient, user: User
) -> None:
    created = create_graph(auth_client, chain(3))
    with live_socket(web_process, f"token={access_token(user)}") as ws:
        ws.request(subscribe_graph(created["id"]))
        with dispatch_held() as release:
            run = execute(auth_client, created)
        ws.send(subscribe_run(run["id"]))
        messages = ws.until(lambda m: m["method"] == "subscribe_graph_execution")
        release()
        messages += ws.until(is_final_run_event(run["id"]))
        # The run's last event goes to the run's channel, then to the graph's.
        messages += ws.until(is_final_run_event(run["id"], on="|executions"))

    run_key, graph_key = f"{user.pk}|graph_exec#{run['id']}", f"{user.pk}|graph#{created['id']}|executions"
    on_run = [m for m in messages if m["channel"] == run_key and m["method"].endswith("_event")]
    on_graph = [m for m in messages if m["channel"] == graph_key and m["method"].endswith("_event")]
    assert {m["method"] for m in on_run} == {"node_execution_event", "graph_execution_event"}
    assert {m["method"] for m in on_graph} == {"graph_execution_event"}
    assert all(m["data"]["user_id"] == str(user.pk) for m in on_run + on_graph)
    # Nothing missed on the run's channel: its seqs follow each other.
    seqs = [m["data"]["seq"] for m in on_run]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    # The graph's channel saw the run queued before the subscription to the run, and its end.
    assert on_graph[0]["data"]["status"] == "QUEUED"
    assert on_graph[-1]["data"]["seq"] == on_run[-1]["data"]["seq"]
    # Each node moves forward only, and ends COMPLETED; the two after the first are seen queued.
    statuses: dict[str, list[str]] = {}
    for message in on_run:
        if message["method"] == "node_execution_event":
            statuses.setdefault(message["data"]["node_exec_id"], []).append(message["data"]["status"])
    assert len(statuses) == 3
    for history in statuses.values():
        assert [RANK[s] for s in history] == sorted(RANK[s] for s in history)
        assert history[-1] == "COMPLETED"
        assert "RUNNING" in history
    assert sum(history[0] == "QUEUED" for history in statuses.values()) >= 2
    final = on_run[-1]
    assert final["method"] == "graph_execution_event"
    assert final["data"]["status"] == "COMPLETED"
    assert final["data"]["stats"]["node_exec_count"] == 3


def test_a_finished_run_notifies_every_socket_of_its_user_with_agent_run_after_its_final_event(
    web_process: Web, auth_client: APIClient, user: User
) -> None:
    created = create_graph(auth_client, chain(2))
    token = access_token(user)
    stranger_token = access_token(UserFactory())
    with (
        live_socket(web_process, f"token={token}") as first,
        live_socket(web_process, f"token={token}") as second,
        live_socket(web_process, f"token={stranger_token}") as stranger,
    ):
        first.request(subscribe_graph(created["id"]))
        for ws in (second, stranger):
            ws.request({"method": "heartbeat", "data": "ping"})  # connected and listening
        run = execute(auth_client, created)
        notices = [ws.until(lambda m: m["method"] == "notification") for ws in (first, second)]
        stranger_next = stranger.request({"method": "heartbeat", "data": "ping"})

    assert any(is_final_run_event(run["id"], on="|executions")(message) for message in notices[0][:-1])
    for received in notices:
        notice = received[-1]
        assert notice["channel"] is None
        assert notice["data"]["type"] == "AGENT_RUN"
        assert notice["data"]["event"]["graph_exec_id"] == run["id"]
        assert notice["data"]["event"]["node_count"] == 2
    assert stranger_next["data"] == "pong"


# --- a slow socket ------------------------------------------------------------------


def stalled_connection(web: Web, query: str) -> ClientConnection:
    """A client whose receive window is tiny and which reads nothing until asked (max_queue=1)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = web.host.split(":")
    sock.connect((host, int(port)))
    return connect(f"{web.ws}?{query}", sock=sock, proxy=None, open_timeout=30, max_size=None, max_queue=1)


def test_a_burst_of_large_events_published_at_once_reaches_a_reading_socket_whole(
    web_process: Web, auth_client: APIClient, user: User
) -> None:
    # 300 events of 30 kB in one round trip, as one commit of a fast run publishes them: three
    # times what a socket may hold waiting (WS_BUFFER_EVENTS=100), which a client that reads is
    # never made to hold. The run has ended, so nothing else is published on its channel.
    run = execute(auth_client, create_graph(auth_client, chain(1)))
    wait_for_run(run["id"])
    burst = EventBatch()
    for index in range(300):
        burst.node(run_id=run["id"], data={"graph_exec_id": run["id"], "index": index, "output_data": "x" * 30_000})
    # The client reads as fast as its connection delivers (no cap on frames it holds unread), so
    # only the server's pacing is under test, not how much CPU this process gets on a busy machine.
    with live_socket(web_process, f"token={access_token(user)}", max_queue=None) as ws:
        ws.request(subscribe_run(run["id"]))
        burst.publish()
        received = ws.until(lambda message: message["method"] == "error" or message["data"].get("index") == 299)

    assert [message["data"].get("index") for message in received] == list(range(300))
    seqs = [message["data"]["seq"] for message in received]
    assert seqs == list(range(seqs[0], seqs[0] + 300))


def test_a_socket_that_stops_reading_loses_events_and_is_told_the_last_seq_while_others_get_all(
    web_process: Web, auth_client: APIClient, user: User
) -> None:
    # About 360 events of 20-40 kB (12 MB): more than the stalled client's buffers hold (the
    # kernel's, up to 4 MB on loopback, then daphne's 100 events), well within what a reading
    # client keeps up with. Each is well under daphne's 1 MiB message limit.
    items = node(STEP_THROUGH_ITEMS, {"items": list(range(120))})
    sink = node(STORE_VALUE, {"data": "x" * 20_000})
    created = create_graph(auth_client, graph([items, sink], [link(items, "item", sink, "input")]))
    token = access_token(user)
    with (
        stalled_connection(web_process, f"token={token}") as stalled,
        live_socket(web_process, f"token={token}") as healthy,
    ):
        with dispatch_held() as release:
            run = execute(auth_client, created)
        slow = LiveSocket(stalled)
        slow.request(subscribe_run(run["id"]))
        healthy.request(subscribe_run(run["id"]))
        release()
        everything = healthy.until(is_final_run_event(run["id"]), timeout=120)
        assert wait_for_run(run["id"], timeout=60).status == "COMPLETED"
        late = slow.until(is_final_run_event(run["id"]), timeout=120)

    seqs = [m["data"]["seq"] for m in everything]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    dropped = [m for m in late if m["method"] == "error"]
    assert dropped
    for notice in dropped:
        assert notice["data"]["code"] == "EVENTS_DROPPED"
        assert notice["data"]["graph_exec_id"] == run["id"]
        assert notice["channel"] == f"{user.pk}|graph_exec#{run['id']}"
    received = [m["data"]["seq"] for m in late if m["method"] != "error"]
    assert len(received) < len(everything)
    # Nothing is lost silently: each event is received in order or covered by a notice naming
    # the last one lost, and every event after a notice arrives. (How many notices depends on
    # when the stalled transport had room: the kernel's buffers move with the load.)
    expected = seqs[0]
    for message in late:
        if message["method"] == "error":
            assert message["data"]["last_seq"] >= expected
            expected = message["data"]["last_seq"] + 1
        else:
            assert message["data"]["seq"] == expected
            expected += 1
    assert expected == seqs[-1] + 1

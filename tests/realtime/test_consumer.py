"""/ws through Channels' communicator: upstream's protocol message for message, and what we add."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async as in_thread
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from apps.accounts.models import User
from apps.api_keys.models import APIKeyPermission
from apps.api_keys.services import api_key_create
from apps.core.events import publish, user_channel
from apps.credits.events import notification_message
from apps.executions.events import EventBatch
from config.asgi import application
from tests.factories import UserFactory
from tests.realtime.conftest import access_token, websocket

pytestmark = pytest.mark.django_db(transaction=True)


def upstream_error(text: str) -> str:
    """An error exactly as upstream's `WSMessage(...).model_dump_json()` writes it."""
    return f'{{"method":"error","data":null,"success":false,"channel":null,"error":"{text}"}}'


INVALID_FORMAT = upstream_error("Invalid message format. Review the schema and retry")
INVALID_DATA = upstream_error("Invalid message data. Refer to the API schema")
DATA_MISSING = upstream_error("Subscription data missing")
NOT_PROCESSED = upstream_error("Message type is not processed by the server")


async def closed_with(query: str) -> dict[str, Any]:
    communicator = WebsocketCommunicator(application, f"/ws?{query}")
    connected, _ = await communicator.connect(timeout=10)
    assert connected, "the socket is accepted first, so the client sees the close code"
    output = await communicator.receive_output(timeout=10)
    await communicator.disconnect(timeout=10)
    return dict(output)


# --- authentication --------------------------------------------------------------


async def test_a_connection_without_a_token_is_closed_with_4001() -> None:
    assert await closed_with("") == {"type": "websocket.close", "code": 4001, "reason": "Missing authentication token"}
    assert (await closed_with("token="))["code"] == 4001


async def test_a_token_that_does_not_verify_is_closed_with_4003() -> None:
    assert await closed_with("token=not-a-jwt") == {"type": "websocket.close", "code": 4003, "reason": "Invalid token"}


async def test_a_token_without_a_subject_is_closed_with_4002(user: User) -> None:
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    del token["sub"]

    assert await closed_with(f"token={token}") == {"type": "websocket.close", "code": 4002, "reason": "Invalid token"}


async def test_a_token_of_a_deactivated_user_is_closed_with_4003(user: User, token: str) -> None:
    await in_thread(User.objects.filter(pk=user.pk).update)(is_active=False)

    assert (await closed_with(f"token={token}"))["code"] == 4003


async def test_an_api_key_with_read_graph_authenticates_the_socket(user: User) -> None:
    _, plaintext = await api_key_create_async(user, [APIKeyPermission.READ_GRAPH])

    async with websocket(f"api_key={plaintext}") as socket:
        assert await socket.nothing_more()


async def test_a_wrong_api_key_or_one_without_read_graph_is_closed_with_4003(user: User) -> None:
    _, plaintext = await api_key_create_async(user, [APIKeyPermission.EXECUTE_GRAPH])

    assert await closed_with(f"api_key=agpt_{'x' * 43}") == {
        "type": "websocket.close",
        "code": 4003,
        "reason": "Invalid API key",
    }
    assert await closed_with(f"api_key={plaintext}") == {
        "type": "websocket.close",
        "code": 4003,
        "reason": "API key lacks the required permission 'READ_GRAPH'",
    }


async def test_wrong_api_keys_spend_the_addresss_budget_then_are_closed_with_4029_but_a_valid_key_connects(
    user: User,
) -> None:
    _, plaintext = await api_key_create_async(user, [APIKeyPermission.READ_GRAPH])
    wrong = f"api_key=agpt_{'x' * 43}"
    limits = {"auth": "2/m", "execute": "1000/s", "external": "1000/s", "default": "1000/s"}

    with override_settings(RATE_LIMITS=limits):
        refused = [(await closed_with(wrong))["code"] for _ in range(2)]
        throttled = await closed_with(wrong)
        async with websocket(f"api_key={plaintext}") as socket:
            answered = await socket.nothing_more()

    assert refused == [4003, 4003]
    assert throttled == {"type": "websocket.close", "code": 4029, "reason": "Too many failed attempts"}
    assert answered


async def api_key_create_async(user: User, permissions: list[str]) -> tuple[Any, str]:
    return await in_thread(api_key_create)(user=user, name="ws", permissions=permissions)


async def test_a_browser_from_a_foreign_origin_is_refused(token: str) -> None:
    communicator = WebsocketCommunicator(
        application, f"/ws?token={token}", headers=[(b"origin", b"https://evil.example"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect(timeout=10)
    assert not connected


async def test_a_browser_on_the_site_itself_connects(token: str) -> None:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    async with websocket(f"token={token}", headers=headers) as socket:
        assert await socket.nothing_more()


async def test_an_authenticated_socket_counts_as_open_until_it_closes(token: str) -> None:
    from apps.realtime.metrics import websockets_open

    before = websockets_open._value.get()
    async with websocket(f"token={token}"):
        during = websockets_open._value.get()
    after = websockets_open._value.get()

    assert (during - before, after - before) == (1, 0)


# --- the four methods, and upstream's errors --------------------------------------


async def test_a_heartbeat_is_answered_with_pong_in_three_keys(token: str) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send({"method": "heartbeat", "data": "ping"})
        assert await socket.receive_text() == '{"method":"heartbeat","data":"pong","success":true}'


async def test_subscribing_to_a_run_answers_upstreams_channel_key(token: str, user: User, run: dict) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send({"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}})

        assert await socket.receive_text() == (
            '{"method":"subscribe_graph_execution","data":null,"success":true,'
            f'"channel":"{user.pk}|graph_exec#{run["id"]}","error":null}}'
        )


async def test_subscribing_to_a_graphs_runs_answers_upstreams_channel_key(
    token: str, user: User, created_graph: dict
) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send({"method": "subscribe_graph_executions", "data": {"graph_id": created_graph["id"]}})

        assert await socket.receive_text() == (
            '{"method":"subscribe_graph_executions","data":null,"success":true,'
            f'"channel":"{user.pk}|graph#{created_graph["id"]}|executions","error":null}}'
        )


async def test_subscribing_twice_answers_twice_and_holds_one_subscription(token: str, user: User, run: dict) -> None:
    request = {"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}}
    with override_settings(WS_MAX_SUBSCRIPTIONS=1):
        async with websocket(f"token={token}") as socket:
            first = await socket.request(request)
            second = await socket.request(request)

    assert first == second
    assert second["success"] is True


@pytest.mark.parametrize("data", [None, {}, "", []])
async def test_subscribing_without_data_answers_subscription_data_missing(token: str, data: Any) -> None:
    async with websocket(f"token={token}") as socket:
        for method in ("subscribe_graph_execution", "subscribe_graph_executions", "unsubscribe"):
            await socket.send({"method": method, "data": data})
            assert await socket.receive_text() == DATA_MISSING


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '"heartbeat"',
        "{}",
        '{"method": "subscribe"}',
        '{"method": "heartbeat", "data": 5}',
        '{"method": "heartbeat", "data": true}',
        '{"method": "heartbeat", "channel": 1}',
        '{"method": "heartbeat", "success": "perhaps"}',
    ],
)
async def test_an_unparseable_message_answers_invalid_message_format_and_the_socket_stays_open(
    token: str, text: str
) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send(text)
        assert await socket.receive_text() == INVALID_FORMAT
        assert await socket.nothing_more()


async def test_a_binary_frame_answers_invalid_message_format(token: str) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send_bytes(b'{"method": "heartbeat"}')
        assert await socket.receive_text() == INVALID_FORMAT


@pytest.mark.parametrize(
    "data",
    [["graph_exec_id"], "some-id", {"graph_exec_id": 5}, {"graph_exec_id": None}, {"graph_id": "x"}],
)
async def test_bad_subscription_data_answers_invalid_message_data(token: str, data: Any) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send({"method": "subscribe_graph_execution", "data": data})
        assert await socket.receive_text() == INVALID_DATA
        await socket.send({"method": "unsubscribe", "data": data})
        assert await socket.receive_text() == INVALID_DATA
        assert await socket.nothing_more()


@pytest.mark.parametrize("method", ["graph_execution_event", "node_execution_event", "notification"])
async def test_event_methods_sent_by_a_client_are_not_processed(token: str, method: str) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send({"method": method, "data": {}})
        assert await socket.receive_text() == NOT_PROCESSED


async def test_an_error_sent_by_a_client_gets_no_answer(token: str) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.send({"method": "error", "data": "something broke"})
        assert await socket.nothing_more()


async def test_unsubscribe_answers_the_runs_key_when_subscribed_and_null_otherwise(
    token: str, user: User, run: dict
) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.request({"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}})

        first = await socket.request({"method": "unsubscribe", "data": {"graph_exec_id": run["id"]}})
        second = await socket.send({"method": "unsubscribe", "data": {"graph_exec_id": run["id"]}})
        second = await socket.receive_text()

    assert first == {
        "method": "unsubscribe",
        "data": None,
        "success": True,
        "channel": f"{user.pk}|graph_exec#{run['id']}",
        "error": None,
    }
    assert second == '{"method":"unsubscribe","data":null,"success":true,"channel":null,"error":null}'


# --- beyond upstream ---------------------------------------------------------------


async def test_subscribing_to_someone_elses_run_or_graph_answers_not_found(run: dict, created_graph: dict) -> None:
    other = await in_thread(UserFactory)()
    async with websocket(f"token={await in_thread(access_token)(other)}") as socket:
        refused_run = await socket.request(
            {"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}}
        )
        refused_graph = await socket.request(
            {"method": "subscribe_graph_executions", "data": {"graph_id": created_graph["id"]}}
        )
        missing = await socket.request({"method": "subscribe_graph_execution", "data": {"graph_exec_id": "nope"}})

    assert refused_run == {
        "method": "error",
        "data": {"code": "NOT_FOUND"},
        "success": False,
        "channel": None,
        "error": f"Graph execution #{run['id']} not found.",
    }
    assert refused_graph["error"] == f"Graph #{created_graph['id']} not found."
    assert missing["error"] == "Graph execution #nope not found."


async def test_a_subscription_over_the_limit_is_refused(token: str, run: dict, created_graph: dict) -> None:
    with override_settings(WS_MAX_SUBSCRIPTIONS=1):
        async with websocket(f"token={token}") as socket:
            accepted = await socket.request(
                {"method": "subscribe_graph_executions", "data": {"graph_id": created_graph["id"]}}
            )
            refused = await socket.request(
                {"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}}
            )
            await socket.request({"method": "unsubscribe", "data": {"graph_exec_id": run["id"]}})

    assert accepted["success"] is True
    assert refused == {
        "method": "error",
        "data": {"code": "TOO_MANY_SUBSCRIPTIONS", "max_subscriptions": 1},
        "success": False,
        "channel": None,
        "error": "Too many subscriptions: at most 1 per connection",
    }


async def test_a_message_over_the_size_limit_is_refused_and_the_socket_stays_open(token: str) -> None:
    with override_settings(WS_MAX_MESSAGE_BYTES=100):
        async with websocket(f"token={token}") as socket:
            refused = await socket.request({"method": "heartbeat", "data": "x" * 100})
            assert await socket.nothing_more()

    assert refused == {
        "method": "error",
        "data": {"code": "MESSAGE_TOO_LARGE", "max_bytes": 100},
        "success": False,
        "channel": None,
        "error": "Message too large: at most 100 bytes",
    }


# --- events ------------------------------------------------------------------------


def _graph_event(run: dict, *, status: str) -> EventBatch:
    batch = EventBatch()
    batch.graph(run_id=run["id"], graph_id=run["graph_id"], data={**run, "status": status})
    return batch


async def test_a_runs_events_reach_its_subscriber_framed_with_the_channel_key_and_a_seq(
    token: str, user: User, run: dict
) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.request({"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}})
        await in_thread(_graph_event(run, status="RUNNING").publish)()
        await in_thread(_graph_event(run, status="COMPLETED").publish)()

        first, second = await socket.receive_text(), await socket.receive()

    # Starting the run published seq 1 and 2 (the run and its node, QUEUED).
    assert first.startswith('{"method":"graph_execution_event","data":{"seq":3,')
    assert first.endswith(f',"success":null,"channel":"{user.pk}|graph_exec#{run["id"]}","error":null}}')
    message = json.loads(first)
    assert message["data"]["status"] == "RUNNING"
    assert message["data"]["event_type"] == "graph_execution_update"
    assert (second["data"]["seq"], second["data"]["status"]) == (4, "COMPLETED")


async def test_a_graph_subscription_gets_its_runs_events_on_the_graph_key(token: str, user: User, run: dict) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.request({"method": "subscribe_graph_executions", "data": {"graph_id": run["graph_id"]}})
        await in_thread(_graph_event(run, status="RUNNING").publish)()

        event = await socket.receive()

    assert event["method"] == "graph_execution_event"
    assert event["channel"] == f"{user.pk}|graph#{run['graph_id']}|executions"
    assert event["data"]["id"] == run["id"]


@pytest.mark.parametrize("spell", [str.upper, lambda run_id: run_id.replace("-", "")], ids=["upper-case", "no-dashes"])
async def test_a_subscription_under_another_spelling_of_the_id_gets_the_events_on_the_canonical_key(
    token: str, user: User, run: dict, spell: Any
) -> None:
    async with websocket(f"token={token}") as socket:
        reply = await socket.request(
            {"method": "subscribe_graph_execution", "data": {"graph_exec_id": spell(run["id"])}}
        )
        await in_thread(_graph_event(run, status="RUNNING").publish)()
        event = await socket.receive()
        unsubscribed = await socket.request({"method": "unsubscribe", "data": {"graph_exec_id": spell(run["id"])}})

    key = f"{user.pk}|graph_exec#{run['id']}"
    assert (reply["success"], reply["channel"]) == (True, key)
    assert (event["method"], event["channel"], event["data"]["status"]) == ("graph_execution_event", key, "RUNNING")
    assert unsubscribed["channel"] == key


async def test_a_graph_subscription_under_upper_case_gets_the_graphs_events(token: str, user: User, run: dict) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.request({"method": "subscribe_graph_executions", "data": {"graph_id": run["graph_id"].upper()}})
        await in_thread(_graph_event(run, status="RUNNING").publish)()

        event = await socket.receive()

    assert event["channel"] == f"{user.pk}|graph#{run['graph_id']}|executions"


async def test_after_unsubscribing_a_runs_events_stop(token: str, run: dict) -> None:
    async with websocket(f"token={token}") as socket:
        await socket.request({"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}})
        await socket.request({"method": "unsubscribe", "data": {"graph_exec_id": run["id"]}})
        await in_thread(_graph_event(run, status="RUNNING").publish)()

        assert await socket.nothing_more()


async def test_a_notification_reaches_every_socket_of_its_user_and_no_other(token: str, user: User) -> None:
    other_token = await in_thread(access_token)(await in_thread(UserFactory)())
    message = notification_message(type="LOW_BALANCE", event={"current_balance": 10})
    async with (
        websocket(f"token={token}") as first,
        websocket(f"token={token}") as second,
        websocket(f"token={other_token}") as stranger,
    ):
        await in_thread(publish)(user_channel(user.pk), message)

        expected = (
            '{"method":"notification","data":{"type":"LOW_BALANCE","event":{"current_balance":10}},'
            '"success":null,"channel":null,"error":null}'
        )
        assert await first.receive_text() == expected
        assert await second.receive_text() == expected
        assert await stranger.nothing_more()


async def test_after_redis_drops_the_subscription_the_socket_is_told_and_events_flow_again(
    token: str, user: User, run: dict
) -> None:
    from apps.core.redis import get_redis
    from apps.realtime.fanout import get_fanout

    async with websocket(f"token={token}") as socket:
        await socket.request({"method": "subscribe_graph_execution", "data": {"graph_exec_id": run["id"]}})
        pubsub = get_fanout()._pubsub
        assert pubsub is not None and pubsub.connection is not None
        host, port = pubsub.connection._writer.get_extra_info("sockname")[:2]
        clients = await in_thread(get_redis().client_list)()
        [ours] = [client["id"] for client in clients if client["addr"] == f"{host}:{port}"]
        await in_thread(get_redis().client_kill_filter)(_id=ours)

        notice = await socket.receive()
        # The notice comes once Redis has confirmed the new subscription: events flow again.
        await in_thread(_graph_event(run, status="RUNNING").publish)()
        event = await socket.receive()

    assert notice == {
        "method": "error",
        "data": {
            "code": "EVENTS_DROPPED",
            "graph_exec_id": run["id"],
            "graph_id": None,
            "last_seq": None,
            "dropped": 0,
        },
        "success": False,
        "channel": f"{user.pk}|graph_exec#{run['id']}",
        "error": "Events may have been lost while the server reconnected to Redis: re-read the run over REST.",
    }
    assert event["data"]["status"] == "RUNNING"

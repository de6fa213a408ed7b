"""A socket's outbox: in order, bounded, and honest about what it drops."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from apps.realtime.outbox import MAX_FRAME_BYTES, Outbox

RUN = "11111111-1111-1111-1111-111111111111"
OTHER_RUN = "22222222-2222-2222-2222-222222222222"
GRAPH = "33333333-3333-3333-3333-333333333333"
KEY = f"u|graph_exec#{RUN}"


class ClosedGate:
    """A transport that takes nothing until opened (a client that stopped reading)."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()

    async def wait(self) -> None:
        await self.opened.wait()


def node_event(seq: int, run_id: str = RUN, **data: Any) -> str:
    body = {"seq": seq, "graph_id": GRAPH, "graph_exec_id": run_id, "status": "RUNNING", **data}
    return json.dumps({"method": "node_execution_event", "data": body}, separators=(",", ":"))


async def drained(outbox: Outbox, sent: list[str], count: int) -> list[dict[str, Any]]:
    for _ in range(200):
        if len(sent) >= count:
            break
        await asyncio.sleep(0.01)
    return [json.loads(text) for text in sent]


async def started(max_events: int, gate: Any = None, **options: Any) -> tuple[Outbox, list[str]]:
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    outbox = Outbox(send=send, max_events=max_events, gate=gate, **options)
    outbox.start()
    return outbox, sent


async def test_messages_go_out_in_the_order_they_were_put() -> None:
    outbox, sent = await started(10)
    outbox.reply('{"first":1}')
    outbox.event(node_event(1), channel=KEY)
    outbox.reply('{"third":3}')

    messages = await drained(outbox, sent, 3)
    await outbox.close()

    assert messages[0] == {"first": 1}
    assert (messages[1]["data"]["seq"], messages[1]["channel"]) == (1, KEY)
    assert messages[2] == {"third": 3}


async def test_a_reserved_reply_goes_out_before_the_events_that_arrive_while_it_is_written() -> None:
    outbox, sent = await started(10)
    slot = outbox.reserve()
    outbox.event(node_event(1), channel=KEY)
    await asyncio.sleep(0.05)
    assert sent == []

    slot.fill('{"ack":true}')
    messages = await drained(outbox, sent, 2)
    await outbox.close()

    assert messages[0] == {"ack": True}
    assert messages[1]["data"]["seq"] == 1


async def test_overflowing_events_are_dropped_and_the_client_is_told_the_last_seq_per_run() -> None:
    gate = ClosedGate()
    outbox, sent = await started(3, gate)
    outbox.reply('{"reply":1}')
    for seq in (1, 2, 3):
        outbox.event(node_event(seq), channel=KEY)
    outbox.event(node_event(7, OTHER_RUN), channel=f"u|graph_exec#{OTHER_RUN}")  # over the limit: the 3 queued go
    outbox.event(node_event(4), channel=KEY)

    gate.opened.set()
    messages = await drained(outbox, sent, 4)
    await outbox.close()

    assert messages[0] == {"reply": 1}, "replies are never dropped"
    notice = messages[1]
    assert notice == {
        "method": "error",
        "data": {"code": "EVENTS_DROPPED", "graph_exec_id": RUN, "graph_id": GRAPH, "last_seq": 3, "dropped": 3},
        "success": False,
        "channel": KEY,
        "error": "Events were dropped because this connection is too slow: re-read the run over REST.",
    }
    assert [m["data"]["seq"] for m in messages[2:]] == [7, 4], "the newest events are kept, after the notice"
    assert len(messages) == 4


async def test_a_client_that_does_not_read_its_replies_is_given_up() -> None:
    stuck: list[bool] = []
    outbox, _ = await started(2, ClosedGate(), on_stuck=lambda: stuck.append(True))
    for _ in range(3):
        outbox.reply("{}")
    await outbox.close()

    assert stuck == [True]


async def test_an_event_larger_than_daphne_sends_becomes_a_drop_notice() -> None:
    outbox, sent = await started(10)
    outbox.event(node_event(5, output_data={"x": ["y" * MAX_FRAME_BYTES]}), channel=KEY)
    outbox.event(node_event(6), channel=KEY)

    messages = await drained(outbox, sent, 2)
    await outbox.close()

    assert messages[0]["data"] == {
        "code": "EVENTS_DROPPED",
        "graph_exec_id": RUN,
        "graph_id": GRAPH,
        "last_seq": 5,
        "dropped": 1,
    }
    assert messages[0]["error"] == "An event was too large to send: re-read the run over REST."
    assert messages[1]["data"]["seq"] == 6


async def test_a_lost_subscription_is_reported_without_a_seq() -> None:
    outbox, sent = await started(10)
    outbox.interrupted(channel=KEY, graph_exec_id=RUN, graph_id=None)

    messages = await drained(outbox, sent, 1)
    await outbox.close()

    assert messages[0]["data"] == {
        "code": "EVENTS_DROPPED",
        "graph_exec_id": RUN,
        "graph_id": None,
        "last_seq": None,
        "dropped": 0,
    }


async def test_a_message_the_server_refuses_does_not_stop_the_ones_after_it() -> None:
    sent: list[str] = []

    async def send(text: str) -> None:
        if text == "bad":
            raise ValueError("refused")
        sent.append(text)

    outbox = Outbox(send=send, max_events=10)
    outbox.start()
    outbox.reply("bad")
    outbox.reply('{"good":true}')

    messages = await drained(outbox, sent, 1)
    await outbox.close()

    assert messages == [{"good": True}]


class Gate:
    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.event.set()

    @property
    def is_open(self) -> bool:
        return self.event.is_set()

    async def wait(self) -> None:
        await self.event.wait()


async def test_with_nothing_waiting_a_frame_is_written_at_once_and_order_holds_when_the_transport_is_full() -> None:
    written: list[str] = []
    gate = Gate()

    def send_now(text: str) -> bool:
        written.append(text)
        return True

    outbox, sent = await started(10, gate, send_now=send_now)
    outbox.reply('{"n":1}')
    assert written == ['{"n":1}'], "written in the same call, no task involved"

    gate.event.clear()  # the transport's buffer is full
    outbox.reply('{"n":2}')
    outbox.event(node_event(1), channel=KEY)
    gate.event.set()
    outbox.reply('{"n":3}')  # others wait: it must queue behind them
    queued = await drained(outbox, sent, 3)
    await outbox.close()

    assert written == ['{"n":1}']
    assert [message.get("n", message.get("data", {}).get("seq")) for message in queued] == [2, 1, 3]

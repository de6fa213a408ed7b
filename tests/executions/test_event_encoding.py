from __future__ import annotations

import json

import pytest

from apps.executions.events import NODE_EVENT, _encode


@pytest.mark.parametrize(
    "output_data",
    [
        pytest.param({"output": ["x" * 3_000_000]}, id="one-huge-string"),
        pytest.param({"item": ["y" * 100_000] * 200}, id="many-big-items"),
        pytest.param({"item": [{"k": "z" * 60_000, "j": ["w" * 60_000] * 30}] * 40}, id="nested"),
    ],
)
def test_events_never_exceed_the_size_limit(settings, output_data: dict) -> None:  # type: ignore[no-untyped-def]
    settings.EVENT_MAX_BYTES = 1024 * 1024

    encoded = _encode(NODE_EVENT, {"node_exec_id": "n", "status": "COMPLETED", "output_data": output_data})

    assert len(encoded) <= settings.EVENT_MAX_BYTES + 100
    event = json.loads(encoded)
    assert event["method"] == NODE_EVENT
    assert event["data"]["status"] == "COMPLETED"
    assert encoded.startswith('{"method":"node_execution_event","data":{"seq":-1,')


def test_small_events_are_untouched() -> None:
    encoded = _encode(NODE_EVENT, {"output_data": {"output": ["hello"]}})

    assert json.loads(encoded)["data"]["output_data"] == {"output": ["hello"]}

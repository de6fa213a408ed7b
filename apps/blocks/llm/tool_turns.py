"""Tool calls and their results in a conversation, in OpenAI's and in Anthropic's shape.

A decision maker's conversation goes round the graph: its `conversations`
output comes back as `conversation_history`, and the called node's output as
`last_tool_output`. These functions tell which calls still wait for a result
and write a result as the provider that made the call expects it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

# Anthropic's tool-use ids start with this; any other id is answered in OpenAI's shape.
ANTHROPIC_TOOL_ID_PREFIX = "toolu_"


def tool_call_ids(turn: dict[str, Any]) -> list[str]:
    """The ids of the calls an assistant turn makes (OpenAI `tool_calls`, Anthropic `tool_use` blocks)."""
    if turn.get("role") != "assistant":
        return []
    ids = [str(call["id"]) for call in turn.get("tool_calls") or [] if isinstance(call, dict) and call.get("id")]
    content = turn.get("content")
    if isinstance(content, list):
        ids += [
            str(item["id"])
            for item in content
            if isinstance(item, dict) and item.get("type") == "tool_use" and item.get("id")
        ]
    return ids


def tool_result_ids(turn: dict[str, Any]) -> list[str]:
    """The ids of the calls a turn answers (an OpenAI `tool` turn, Anthropic `tool_result` blocks)."""
    if turn.get("role") == "tool" and turn.get("tool_call_id"):
        return [str(turn["tool_call_id"])]
    content = turn.get("content")
    if turn.get("role") == "user" and isinstance(content, list):
        return [
            str(item["tool_use_id"])
            for item in content
            if isinstance(item, dict) and item.get("type") == "tool_result" and item.get("tool_use_id")
        ]
    return []


def pending_tool_calls(conversation: list[Any] | None) -> dict[str, int]:
    """The calls made in `conversation` that no turn has answered yet, in the order they were made."""
    pending: Counter[str] = Counter()
    for turn in conversation or []:
        if not isinstance(turn, dict):
            continue
        for call_id in tool_call_ids(turn):
            pending[call_id] += 1
        for call_id in tool_result_ids(turn):
            pending[call_id] -= 1
    return {call_id: count for call_id, count in pending.items() if count > 0}


def tool_result(call_id: str, output: Any) -> dict[str, Any]:
    """The turn answering call `call_id` with a tool's `output`."""
    content = output if isinstance(output, str) else json.dumps(output, default=str)
    if call_id.startswith(ANTHROPIC_TOOL_ID_PREFIX):
        return {
            "role": "user",
            "type": "message",
            "content": [{"tool_use_id": call_id, "type": "tool_result", "content": content}],
        }
    return {"role": "tool", "tool_call_id": call_id, "content": content}

"""OpenAI's chat completions API (`POST /v1/chat/completions`), as OpenAI and the compatible providers serve it.

Bearer-key authentication, replies with `usage`, tool calls (`finish_reason:
tool_calls`), refusals, and errors in OpenAI's documented body
`{"error": {"message", "type", "param", "code"}}` with their status codes (429
with `retry-after`). Point a provider's base URL at `{base_url}/v1`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, jsonify, request

from tests.fakes.llm_script import Failure, Recorded, Reply, Script
from tests.fakes.server import serve

_ids = itertools.count(1)


def _completion(body: dict, reply: Reply) -> dict:
    message: dict = {"role": "assistant", "content": reply.text or None, "refusal": reply.refusal}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{next(_ids)}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for name, args in reply.tool_calls
        ]
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def _error(failure: Failure):
    kind = failure.error_type or {401: "invalid_request_error", 429: "requests"}.get(failure.status, "server_error")
    body = {"error": {"message": failure.message, "type": kind, "param": None, "code": failure.code}}
    response = jsonify(body)
    response.status_code = failure.status
    if failure.retry_after:
        response.headers["retry-after"] = failure.retry_after
    return response


def _app(script: Script) -> Flask:
    app = Flask("fake-openai")

    @app.post("/v1/chat/completions")
    def chat_completions():
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        body = request.get_json(force=True)
        answer = script.answer(Recorded(path=request.path, api_key=key, body=body))
        if isinstance(answer, Failure):
            return _error(answer)
        return jsonify(_completion(body, answer))

    return app


@dataclass
class FakeOpenAI:
    base_url: str
    script: Script

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/v1"


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    script = Script()
    with serve(_app(script)) as base_url:
        yield FakeOpenAI(base_url=base_url, script=script)

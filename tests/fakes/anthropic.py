"""Anthropic's messages API (`POST /v1/messages`).

`x-api-key` authentication (or a bearer `Authorization`, which newer SDKs
send), `anthropic-version` required, replies as content blocks with `usage`,
tool use (`stop_reason: tool_use`), refusals
(`stop_reason: refusal`), and errors in Anthropic's documented body
`{"type": "error", "error": {"type", "message"}}` (429 `rate_limit_error` with
`retry-after`, 529 `overloaded_error`). Point `ANTHROPIC_BASE_URL` at `base_url`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, jsonify, request

from tests.fakes.llm_script import Failure, Recorded, Reply, Script
from tests.fakes.server import serve

_ids = itertools.count(1)
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def _message(body: dict, reply: Reply) -> dict:
    content: list[dict] = [{"type": "text", "text": reply.text}] if reply.text else []
    content += [
        {"type": "tool_use", "id": f"toolu_{next(_ids):04d}", "name": name, "input": args}
        for name, args in reply.tool_calls
    ]
    stop_reason = "refusal" if reply.refusal else "tool_use" if reply.tool_calls else "end_turn"
    return {
        "id": f"msg_{next(_ids):04d}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": reply.prompt_tokens, "output_tokens": reply.completion_tokens},
    }


def _error(failure: Failure):
    kind = (
        failure.error_type
        if failure.error_type in ERROR_TYPES.values()
        else ERROR_TYPES.get(failure.status, "api_error")
    )
    response = jsonify({"type": "error", "error": {"type": kind, "message": failure.message}})
    response.status_code = failure.status
    if failure.retry_after:
        response.headers["retry-after"] = failure.retry_after
    return response


def _app(script: Script) -> Flask:
    app = Flask("fake-anthropic")

    @app.post("/v1/messages")
    def messages():
        if not request.headers.get("anthropic-version"):
            return _error(Failure(400, "anthropic-version: header is required"))
        body = request.get_json(force=True)
        key = request.headers.get("x-api-key") or request.headers.get("Authorization", "").removeprefix("Bearer ")
        answer = script.answer(Recorded(path=request.path, api_key=key, body=body))
        if isinstance(answer, Failure):
            return _error(answer)
        return jsonify(_message(body, answer))

    return app


@dataclass
class FakeAnthropic:
    base_url: str
    script: Script


@contextmanager
def fake_anthropic() -> Iterator[FakeAnthropic]:
    script = Script()
    with serve(_app(script)) as base_url:
        yield FakeAnthropic(base_url=base_url, script=script)

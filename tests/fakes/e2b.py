"""E2B: its REST API and, behind one sandbox router, each sandbox's envd and code interpreter.

`POST /sandboxes` (`X-API-KEY`) starts a sandbox and answers its id and `envdAccessToken`;
`DELETE /sandboxes/{id}` stops it. Under `/sandbox` (what `E2B_SANDBOX_URL` points at) requests
are routed like E2B's sandbox proxy, by `E2b-Sandbox-Id` and `E2b-Sandbox-Port`: port 49983 is
envd (`process.Process/Start`, a Connect stream of enveloped JSON), port 49999 the code
interpreter (`POST /execute`, one JSON line per event). A stopped or unknown sandbox gets the
proxy's 502; a wrong access token envd's 401.

Nothing submitted is ever run. `script(marker, ...)` decides what code containing `marker`
prints and returns, `command_reply(command, ...)` what a shell command does. Unscripted code
is read, not run: each `print(<literal>)` line prints that literal, and a literal on the last
line is the main result, as a notebook shows it. `sandboxes`, `commands` and `executions`
record what happened.
"""

from __future__ import annotations

import ast
import base64
import itertools
import json
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from tests.fakes.provider import FakeProvider, json_response, provider_app
from tests.fakes.server import serve

# Upstream's test key, so the block's own self-test authenticates as it is written.
API_KEY = "mock-e2b-api-key"
ENVD_PORT = "49983"
JUPYTER_PORT = "49999"
MAX_TIMEOUT_SECONDS = 3600
UNAUTHORIZED = {"code": 401, "message": "Invalid API key, please visit https://e2b.dev/docs/api-key"}
TEMPLATES = ("code-interpreter-v1", "base")


@dataclass
class Script:
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    # Each as the code interpreter streams it: {"text": ..., "json": ..., "is_main_result": ...}.
    results: list[dict[str, Any]] = field(default_factory=list)
    # {"name", "value", "traceback"}, as the interpreter reports an exception.
    error: dict[str, str] | None = None


@dataclass
class CommandReply:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


@dataclass
class FakeSandbox:
    sandbox_id: str
    template_id: str
    timeout: int
    access_token: str
    alive: bool = True


@dataclass
class FakeE2B(FakeProvider):
    sandboxes: dict[str, FakeSandbox] = field(default_factory=dict)
    # (sandbox id, command) in the order they ran.
    commands: list[tuple[str, str]] = field(default_factory=list)
    # {"sandbox_id", "code", "language", "env_vars"} of every execution.
    executions: list[dict[str, Any]] = field(default_factory=list)
    scripts: list[tuple[str, Script]] = field(default_factory=list)
    command_replies: dict[str, CommandReply] = field(default_factory=dict)

    def script(self, marker: str, **reply: Any) -> None:
        """Code containing `marker` gets this reply (the latest script naming it wins)."""
        self.scripts.insert(0, (marker, Script(**reply)))

    def command_reply(self, command: str, **reply: Any) -> None:
        self.command_replies[command] = CommandReply(**reply)

    def reply_for(self, code: str) -> Script:
        return next((script for marker, script in self.scripts if marker in code), None) or read_literals(code)


def read_literals(code: str) -> Script:
    """What a notebook shows for code made of literal prints and a literal last line; nothing else is understood."""
    try:
        statements = ast.parse(code).body
    except SyntaxError as error:
        return Script(error={"name": "SyntaxError", "value": str(error), "traceback": f"SyntaxError: {error}"})
    script = Script()
    for statement in statements:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
            continue
        literals = [argument for argument in call.args if isinstance(argument, ast.Constant)]
        if len(literals) == len(call.args):
            script.stdout.append(" ".join(str(literal.value) for literal in literals) + "\n")
    last = statements[-1] if statements else None
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Constant):
        script.results.append({"text": repr(last.value.value), "is_main_result": True})
    return script


def connect_frame(message: dict[str, Any], flags: int = 0) -> bytes:
    payload = json.dumps(message).encode()
    return struct.pack(">BI", flags, len(payload)) + payload


def first_envelope(body: bytes) -> dict[str, Any]:
    _, length = struct.unpack_from(">BI", body, 0)
    return dict(json.loads(body[5 : 5 + length]))


@contextmanager
def fake_e2b() -> Iterator[FakeE2B]:
    state = FakeE2B()
    app = provider_app("fake-e2b", state)
    ids = itertools.count(1)

    def api_error(status: int, message: str) -> Response:
        return json_response({"code": status, "message": message}, status)

    @app.post("/sandboxes")
    def create() -> Response:
        if request.headers.get("X-API-KEY") != API_KEY:
            return json_response(UNAUTHORIZED, 401)
        body = request.get_json(silent=True) or {}
        template_id = body.get("templateID")
        timeout = body.get("timeout", 15)
        if template_id not in TEMPLATES:
            return api_error(404, f"template '{template_id}' not found")
        if not isinstance(timeout, int) or timeout > MAX_TIMEOUT_SECONDS:
            return api_error(400, "Timeout cannot be greater than 1 hours")
        n = next(ids)
        sandbox = FakeSandbox(f"i{n:04d}sandbox{n:08d}", template_id, timeout, f"envd-token-{n}")
        state.sandboxes[sandbox.sandbox_id] = sandbox
        answer = {
            "templateID": template_id,
            "sandboxID": sandbox.sandbox_id,
            "clientID": "6532622b",
            "envdVersion": "0.2.4",
            "envdAccessToken": sandbox.access_token,
            "domain": None,
        }
        return json_response(answer, 201)

    @app.delete("/sandboxes/<sandbox_id>")
    def kill(sandbox_id: str) -> Response:
        if request.headers.get("X-API-KEY") != API_KEY:
            return json_response(UNAUTHORIZED, 401)
        sandbox = state.sandboxes.get(sandbox_id)
        if sandbox is None or not sandbox.alive:
            return api_error(404, f'sandbox "{sandbox_id}" not found')
        sandbox.alive = False
        return Response(status=204)

    def routed(port: str) -> FakeSandbox | Response:
        """The sandbox the proxy headers name, or the answer the proxy or envd would give."""
        sandbox_id = request.headers.get("E2b-Sandbox-Id", "")
        sandbox = state.sandboxes.get(sandbox_id)
        if sandbox is None or not sandbox.alive or request.headers.get("E2b-Sandbox-Port") != port:
            return json_response({"sandboxId": sandbox_id, "message": "The sandbox was not found", "code": 502}, 502)
        if request.headers.get("X-Access-Token") != sandbox.access_token:
            return Response("unauthorized access, please provide a valid access token", status=401)
        return sandbox

    @app.post("/sandbox/process.Process/Start")
    def start_process() -> Response:
        sandbox = routed(ENVD_PORT)
        if isinstance(sandbox, Response):
            return sandbox
        if request.headers.get("Content-Type") != "application/connect+json":
            return Response("unsupported content type", status=415)
        process = first_envelope(request.get_data()).get("process") or {}
        command = (process.get("args") or ["", "", ""])[-1]
        state.commands.append((sandbox.sandbox_id, command))
        reply = state.command_replies.get(command, CommandReply())
        frames = [connect_frame({"event": {"start": {"pid": 400 + len(state.commands)}}})]
        for stream in ("stdout", "stderr"):
            if text := getattr(reply, stream):
                frames.append(connect_frame({"event": {"data": {stream: base64.b64encode(text.encode()).decode()}}}))
        end: dict[str, Any] = {"exited": True, "status": f"exit status {reply.exit_code}"}
        if reply.exit_code:
            end["exitCode"] = reply.exit_code
        frames += [connect_frame({"event": {"end": end}}), connect_frame({}, flags=0x02)]
        return Response(b"".join(frames), content_type="application/connect+json")

    @app.post("/sandbox/execute")
    def execute() -> Response:
        sandbox = routed(JUPYTER_PORT)
        if isinstance(sandbox, Response):
            return sandbox
        body = request.get_json(silent=True) or {}
        state.executions.append({"sandbox_id": sandbox.sandbox_id, **body})
        script = state.reply_for(str(body.get("code", "")))
        lines = [{"type": "stdout", "text": text, "timestamp": 1761825600000000} for text in script.stdout]
        lines += [{"type": "stderr", "text": text, "timestamp": 1761825600000000} for text in script.stderr]
        lines += [{"type": "result", **result} for result in script.results]
        if script.error:
            lines.append({"type": "error", **script.error})
        lines += [{"type": "number_of_executions", "execution_count": len(state.executions)}]
        return Response("".join(json.dumps(line) + "\n" for line in lines), content_type="application/x-ndjson")

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"E2B_API_URL": base_url, "E2B_SANDBOX_URL": f"{base_url}/sandbox"}
        yield state

"""GitHub's OAuth app endpoints (github.com and api.github.com) at their paths.

`/login/oauth/authorize`, `/login/oauth/access_token` (JSON with
`Accept: application/json`; errors come back with status 200 and an `error`
member; scopes comma-separated; with expiring user tokens enabled, as here,
`expires_in` and a rotating refresh token), `/user` (a bearer token) and
`DELETE /applications/{client_id}/token` (the app's basic auth, JSON
`access_token`; 204, or 404 for an unknown token).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from flask import Flask, Response, jsonify, request

from tests.fakes.oauth2_server import Account, Client, OAuthState, authorization_server, authorize
from tests.fakes.server import serve

CLIENT_ID = "Iv1.github-client-id"
CLIENT_SECRET = "github-client-secret"
ACCOUNT = Account(id="1", email="octo@example.com", login="octocat")


@dataclass
class FakeGitHub:
    base_url: str
    state: OAuthState


def _basic_auth_ok(state: OAuthState) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    return client_id == state.client.client_id and hmac.compare_digest(secret, state.client.client_secret)


def _app(state: OAuthState) -> Flask:
    app = Flask("fake-github")
    server = authorization_server(app, state, rotate_refresh_tokens=True)

    app.add_url_rule("/login/oauth/authorize", view_func=lambda: authorize(server, state))

    @app.post("/login/oauth/access_token")
    def access_token():
        answer: Response = server.create_token_response()
        body = answer.get_json()
        if answer.status_code == 200:
            body["scope"] = ",".join(body.get("scope", "").split())
            if "refresh_token" in body:
                body["refresh_token_expires_in"] = 15811200
        return jsonify(body), 200

    @app.get("/user")
    def user():
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = state.live_token(bearer)
        if token is None:
            return jsonify({"message": "Bad credentials"}), 401
        return jsonify({"login": token.account.login, "id": int(token.account.id)})

    @app.delete("/applications/<client_id>/token")
    def revoke(client_id: str):
        if client_id != state.client.client_id or not _basic_auth_ok(state):
            return jsonify({"message": "Requires authentication"}), 401
        if state.revoke((request.get_json(silent=True) or {}).get("access_token", "")):
            return "", 204
        return jsonify({"message": "Not Found"}), 404

    return app


@contextmanager
def fake_github(redirect_uri: str) -> Iterator[FakeGitHub]:
    state = OAuthState(Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri]), ACCOUNT)
    with serve(_app(state)) as base_url:
        yield FakeGitHub(base_url=base_url, state=state)


# --- The repository webhooks API (api.github.com) -----------------------------------------

API_TOKEN = "ghp_fake-personal-access-token"


@dataclass
class Hook:
    id: int
    repo: str
    events: list[str]
    config: dict[str, str]
    pings: int = 0


@dataclass
class FakeGitHubApi:
    """What the stand-in was asked to do: hooks by id, and deleted hook ids."""

    base_url: str
    hooks: dict[int, Hook]
    deleted: list[int]


def _deliver_ping(hook: Hook) -> None:
    """What GitHub does after a ping request: a signed `ping` delivery to the hook's URL, from elsewhere."""
    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": hook.id}).encode()
    signature = "sha256=" + hmac.new(hook.config["secret"].encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "ping",
        "X-GitHub-Delivery": f"ping-{hook.id}-{hook.pings}",
        "X-Hub-Signature-256": signature,
    }

    def send() -> None:
        # An unreachable URL: GitHub records the failed delivery, and nobody is told.
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(hook.config["url"], content=body, headers=headers, timeout=10)

    threading.Thread(target=send, daemon=True).start()


def _api_app(state: FakeGitHubApi) -> Flask:
    app = Flask("fake-github-api")

    def authorized() -> bool:
        return request.headers.get("Authorization") == f"Bearer {API_TOKEN}"

    def unauthorized() -> tuple[Response, int]:
        return jsonify({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}), 401

    def not_found() -> tuple[Response, int]:
        return jsonify({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}), 404

    @app.post("/repos/<owner>/<repo>/hooks")
    def create_hook(owner: str, repo: str):
        if not authorized():
            return unauthorized()
        body = request.get_json(silent=True) or {}
        config = body.get("config") or {}
        if not config.get("url"):
            return jsonify({"message": "Validation Failed", "errors": [{"field": "url", "code": "missing"}]}), 422
        hook = Hook(
            id=len(state.hooks) + len(state.deleted) + 1,
            repo=f"{owner}/{repo}",
            events=body.get("events") or ["push"],
            config=config,
        )
        state.hooks[hook.id] = hook
        shown = {key: value for key, value in config.items() if key != "secret"}
        if "secret" in config:
            shown["secret"] = "********"
        return jsonify(
            {"type": "Repository", "id": hook.id, "name": "web", "active": True, "events": hook.events, "config": shown}
        ), 201

    @app.delete("/repos/<owner>/<repo>/hooks/<int:hook_id>")
    def delete_hook(owner: str, repo: str, hook_id: int):
        if not authorized():
            return unauthorized()
        hook = state.hooks.get(hook_id)
        if hook is None or hook.repo != f"{owner}/{repo}":
            return not_found()
        del state.hooks[hook_id]
        state.deleted.append(hook_id)
        return "", 204

    @app.post("/repos/<owner>/<repo>/hooks/<int:hook_id>/pings")
    def ping_hook(owner: str, repo: str, hook_id: int):
        if not authorized():
            return unauthorized()
        hook = state.hooks.get(hook_id)
        if hook is None or hook.repo != f"{owner}/{repo}":
            return not_found()
        hook.pings += 1
        _deliver_ping(hook)
        return "", 204

    return app


@contextmanager
def fake_github_api() -> Iterator[FakeGitHubApi]:
    """GitHub's REST API for repository webhooks (create, delete, ping), on a free loopback port."""
    state = FakeGitHubApi(base_url="", hooks={}, deleted=[])
    with serve(_api_app(state)) as base_url:
        state.base_url = base_url
        yield state

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
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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

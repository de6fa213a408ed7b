"""Google's OAuth2 endpoints (accounts.google.com, oauth2.googleapis.com, www.googleapis.com) at their paths.

Authorization (`/o/oauth2/auth`, with PKCE), token (`/token`: code and refresh
grants; Google keeps the refresh token on refresh), user info
(`/oauth2/v2/userinfo`, a bearer token) and revocation (`/revoke`, form
`token=`; 400 `invalid_token` for an unknown or revoked one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, jsonify, request

from tests.fakes.oauth2_server import Account, Client, OAuthState, authorization_server, authorize
from tests.fakes.server import serve

CLIENT_ID = "google-client-id.apps.example"
CLIENT_SECRET = "google-client-secret"
ACCOUNT = Account(id="g-1", email="ada@example.com", login="ada")


@dataclass
class FakeGoogle:
    base_url: str
    state: OAuthState


def _app(state: OAuthState) -> Flask:
    app = Flask("fake-google")
    server = authorization_server(app, state, rotate_refresh_tokens=False)

    app.add_url_rule("/o/oauth2/auth", view_func=lambda: authorize(server, state))

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.get("/oauth2/v2/userinfo")
    def userinfo():
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = state.live_token(bearer)
        if token is None:
            return jsonify({"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}}), 401
        return jsonify({"id": token.account.id, "email": token.account.email, "verified_email": True})

    @app.post("/revoke")
    def revoke():
        if state.revoke(request.form.get("token", "")):
            return jsonify({})
        return jsonify({"error": "invalid_token", "error_description": "Token expired or revoked"}), 400

    return app


@contextmanager
def fake_google(redirect_uri: str) -> Iterator[FakeGoogle]:
    state = OAuthState(Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri]), ACCOUNT)
    with serve(_app(state)) as base_url:
        yield FakeGoogle(base_url=base_url, state=state)

"""A real OAuth2 authorization server (Authlib's), holding its clients, codes and tokens in memory.

It implements RFC 6749's authorization-code and refresh-token grants with
RFC 7636's PKCE, as providers do: redirect URIs and client secrets are checked,
codes are single use, a wrong `code_verifier` is refused. The provider modules
(`google`, `github`) put it behind the provider's own paths and answer shapes.
The end user is always signed in and always consents: a test plays the
browser by fetching the login URL and reading where it is redirected.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, OAuth2Error, TokenMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, request

AUTH_METHODS = ["client_secret_post", "client_secret_basic"]


@dataclass
class Account:
    id: str
    email: str
    login: str

    def get_user_id(self) -> str:
        return self.id


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    account: Account
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token(TokenMixin):
    client: Client
    account: Account
    access_token: str
    refresh_token: str | None
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> Account:
        return self.account

    def get_client(self) -> Client:
        return self.client


class OAuthState:
    """Everything the server knows, and what the tests inspect: grants served, tokens revoked."""

    def __init__(self, client: Client, account: Account) -> None:
        self.client = client
        self.account = account
        self.codes: dict[str, Code] = {}
        self.tokens: list[Token] = []
        self.refreshes = 0
        self.authorization_requests: list[dict[str, str]] = []
        self.revoked: list[str] = []
        self.lock = threading.Lock()

    def token_by_access(self, access_token: str) -> Token | None:
        return next((t for t in self.tokens if hmac.compare_digest(t.access_token, access_token)), None)

    def live_token(self, access_token: str) -> Token | None:
        token = self.token_by_access(access_token)
        return token if token is not None and not token.is_revoked() and not token.is_expired() else None

    def revoke(self, token_string: str) -> bool:
        with self.lock:
            for token in self.tokens:
                if token_string in (token.access_token, token.refresh_token) and not token.revoked:
                    token.revoked = True
                    self.revoked.append(token_string)
                    return True
        return False


def authorization_server(app: Flask, state: OAuthState, *, rotate_refresh_tokens: bool) -> AuthorizationServer:
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

        def save_authorization_code(self, code: str, request: Any) -> Code:
            data = request.payload.data
            saved = Code(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope or "",
                account=request.user,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )
            state.codes[code] = saved
            return saved

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = state.codes.get(code)
            return found if found is not None and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> Account:
            return authorization_code.account

    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = rotate_refresh_tokens

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            with state.lock:
                state.refreshes += 1
            return next(
                (t for t in state.tokens if t.refresh_token == refresh_token and not t.revoked),
                None,
            )

        def authenticate_user(self, refresh_token: Token) -> Account:
            return refresh_token.account

        def revoke_old_credential(self, refresh_token: Token) -> None:
            if rotate_refresh_tokens:
                refresh_token.revoked = True

    def save_token(token: dict[str, Any], request: Any) -> None:
        previous = getattr(request, "refresh_token", None)
        state.tokens.append(
            Token(
                client=request.client,
                account=request.user,
                access_token=token["access_token"],
                # A refresh that does not rotate keeps the old refresh token working.
                refresh_token=token.get("refresh_token") or (previous.refresh_token if previous else None),
                scope=token.get("scope", ""),
                expires_in=int(token.get("expires_in", 3600)),
            )
        )

    app.config.update(
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": 3599, "refresh_token": 3599},
    )
    server = AuthorizationServer(
        app,
        query_client=lambda client_id: state.client if client_id == state.client.client_id else None,
        save_token=save_token,
    )
    server.register_grant(CodeGrant, [CodeChallenge(required=False)])
    server.register_grant(RefreshGrant)
    return server


def authorize(server: AuthorizationServer, state: OAuthState) -> Response:
    """The authorization endpoint: the user is signed in and consents, so the answer redirects with a code."""
    state.authorization_requests.append(dict(request.args))
    try:
        grant = server.get_consent_grant(end_user=state.account)
    except OAuth2Error as error:
        return server.handle_error_response(None, error)
    return server.create_authorization_response(grant=grant, grant_user=state.account)

"""What Google's REST API stand-ins share: bearer tokens with scopes, and Google's error body.

A Google fake is a `FakeProvider` (`tests/fakes/provider.py`) whose app comes from
`google_app`: after the request is recorded and any `reply_next` answer given, the token
must be one `scopes_of` knows and its scopes must include one the method needs, as Google
checks them (401 `authError`, 403 `insufficientPermissions`). By default the token of the
blocks' test credentials is known, with every scope they ask for; a fake serving tokens of
the Google OAuth stand-in (`tests/fakes/google.py`) takes `oauth_token_scopes(state)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request

from tests.fakes.provider import FakeProvider, bearer_token, json_response, provider_app

ScopesOf = Callable[[str], Iterable[str] | None]

# The access token of the Google blocks' test credentials (upstream's).
TEST_TOKEN = "mock-google-access-token"
TEST_TOKEN_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/gmail.readonly",
        "https://www.googleapis.com/auth/gmail.send",
        "https://www.googleapis.com/auth/gmail.modify",
        "https://www.googleapis.com/auth/calendar.readonly",
    }
)
REASONS = {
    400: ("INVALID_ARGUMENT", "badRequest"),
    401: ("UNAUTHENTICATED", "authError"),
    403: ("PERMISSION_DENIED", "insufficientPermissions"),
    404: ("NOT_FOUND", "notFound"),
    409: ("ALREADY_EXISTS", "duplicate"),
    429: ("RESOURCE_EXHAUSTED", "rateLimitExceeded"),
    503: ("UNAVAILABLE", "backendError"),
}
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
    "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INSUFFICIENT_SCOPES = "Request had insufficient authentication scopes."


def scopes_of_test_token(token: str) -> Iterable[str] | None:
    return TEST_TOKEN_SCOPES if token == TEST_TOKEN else None


def google_error_body(code: int, message: str) -> dict[str, Any]:
    status, reason = REASONS.get(code, ("UNKNOWN", "unknown"))
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": status,
        }
    }


def google_error(code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(google_error_body(code, message), code, headers)


@dataclass
class FakeGoogleAPI(FakeProvider):
    scopes_of: ScopesOf = scopes_of_test_token


def google_app(name: str, state: FakeGoogleAPI, required_scopes: Callable[[], set[str]]) -> Flask:
    """A provider app that answers unknown paths and bad tokens as Google does."""
    app = provider_app(name, state)

    @app.before_request
    def check_token() -> Response | None:
        if request.endpoint is None:
            return google_error(404, "Requested entity was not found.")
        token = bearer_token()
        scopes = state.scopes_of(token) if token else None
        if scopes is None:
            return google_error(
                401, UNAUTHENTICATED, {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
            )
        if not required_scopes() & set(scopes):
            return google_error(403, INSUFFICIENT_SCOPES)
        return None

    return app


def oauth_token_scopes(state: Any) -> ScopesOf:
    """`scopes_of` for tokens issued by the Google OAuth stand-in (`tests/fakes/google.py`): live ones only."""

    def scopes_of(token: str) -> Iterable[str] | None:
        issued = state.live_token(token)
        return issued.scope.split() if issued is not None else None

    return scopes_of

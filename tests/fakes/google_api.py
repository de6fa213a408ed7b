"""What Google's REST APIs share on the wire: bearer tokens with scopes, the error body, scripted failures.

A token is good when the `scopes_of` callable of the fake knows it; the scopes it
returns are checked against what each method needs, as Google does (403
`insufficientPermissions`). Tests script failures with `fail_next` (a 429 with
`Retry-After`, a 503, ...), which answer the next requests before any routing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request

ScopesOf = Callable[[str], Iterable[str] | None]

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


def google_error(code: int, message: str, **headers: str) -> Response:
    status, reason = REASONS.get(code, ("UNKNOWN", "unknown"))
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": status,
        }
    }
    response = jsonify(body)
    response.status_code = code
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


@dataclass
class GoogleAPIState:
    scopes_of: ScopesOf
    requests: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, message: str = "Rate Limit Exceeded", *, times: int = 1, **headers: str) -> None:
        with self.lock:
            self.failures.extend([(status, message, headers)] * times)

    def calls(self, method: str, path_suffix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"].endswith(path_suffix)]


def guard(app: Flask, state: GoogleAPIState, required_scopes: Callable[[], set[str]]) -> None:
    """Records every request, answers scripted failures, then checks the token and its scopes."""

    @app.before_request
    def _check() -> Response | None:
        state.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.args.to_dict(flat=False),
                "json": request.get_json(silent=True),
            }
        )
        with state.lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure is not None:
            status, message, headers = failure
            return google_error(status, message, **headers)
        if request.endpoint is None:
            return google_error(404, "Requested entity was not found.")
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        scopes = state.scopes_of(token) if token else None
        if scopes is None:
            return google_error(401, UNAUTHENTICATED, WWW_Authenticate='Bearer realm="https://accounts.google.com/"')
        if not required_scopes() & set(scopes):
            return google_error(403, INSUFFICIENT_SCOPES)
        return None


def oauth_token_scopes(state: Any) -> ScopesOf:
    """`scopes_of` for tokens issued by the Google OAuth stand-in (`tests/fakes/google.py`): live ones only."""

    def scopes_of(token: str) -> Iterable[str] | None:
        issued = state.live_token(token)
        return issued.scope.split() if issued is not None else None

    return scopes_of

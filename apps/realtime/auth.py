"""Who is on the other end of a websocket: `?token=<JWT>` or `?api_key=<key>`.

Upstream's close codes: no credential 4001, a token without a subject 4002,
any other failure 4003. API keys (beyond upstream) need READ_GRAPH, and wrong
keys spend the same per-address budget as on the REST API (RATE_LIMIT_AUTH);
a valid key is never refused by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed, Throttled

from apps.accounts.authentication import USER_ID_MISSING, user_for_access_token
from apps.api_keys.authentication import FAILED_API_KEYS, INVALID_API_KEY
from apps.api_keys.models import APIKeyPermission
from apps.api_keys.permissions import permission_denied_message
from apps.api_keys.services import api_key_authenticate
from apps.realtime.protocol import CLOSE_INVALID_TOKEN, CLOSE_MISSING_TOKEN, CLOSE_NO_SUBJECT

CLOSE_TOO_MANY_ATTEMPTS = (4029, "Too many failed attempts")
REQUIRED_API_KEY_PERMISSION = APIKeyPermission.READ_GRAPH


@dataclass(frozen=True)
class Refusal:
    code: int
    reason: str


def _query(scope: dict[str, Any]) -> dict[str, str]:
    raw = scope.get("query_string", b"")
    parsed = parse_qs(raw.decode("latin1") if isinstance(raw, bytes) else raw)
    return {name: values[0] for name, values in parsed.items() if values}


def request_for_scope(scope: dict[str, Any]) -> HttpRequest:
    """An `HttpRequest` carrying the scope's address and headers, for the rate limiter."""
    request = HttpRequest()
    client = scope.get("client") or ("unknown", 0)
    request.META["REMOTE_ADDR"] = client[0]
    for name, value in scope.get("headers", []):
        key = name.decode("latin1").upper().replace("-", "_")
        request.META[f"HTTP_{key}"] = value.decode("latin1")
    return request


def _user_id_for_token(token: str) -> str | Refusal:
    try:
        return str(user_for_access_token(token).pk)
    except AuthenticationFailed as error:
        if str(error.detail) == USER_ID_MISSING:
            return Refusal(*CLOSE_NO_SUBJECT)
        return Refusal(*CLOSE_INVALID_TOKEN)


def _user_id_for_api_key(plaintext: str, scope: dict[str, Any]) -> str | Refusal:
    request = request_for_scope(scope)
    resolved = api_key_authenticate(plaintext=plaintext)
    if resolved is None:
        try:
            FAILED_API_KEYS.record_failure(request)
        except Throttled:
            return Refusal(*CLOSE_TOO_MANY_ATTEMPTS)
        return Refusal(CLOSE_INVALID_TOKEN[0], INVALID_API_KEY)
    api_key, user = resolved
    if REQUIRED_API_KEY_PERMISSION not in api_key.permissions:
        return Refusal(CLOSE_INVALID_TOKEN[0], permission_denied_message(REQUIRED_API_KEY_PERMISSION))
    return str(user.pk)


@database_sync_to_async
def authenticate(scope: dict[str, Any]) -> str | Refusal:
    """The user id the connection's credential names, or why it is refused."""
    query = _query(scope)
    if token := query.get("token"):
        return _user_id_for_token(token)
    if api_key := query.get("api_key"):
        return _user_id_for_api_key(api_key, scope)
    return Refusal(*CLOSE_MISSING_TOKEN)

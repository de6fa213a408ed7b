"""Google's REST APIs (Gmail v1, Calendar v3) called with a user's OAuth2 access token.

The documented HTTP API through httpx rather than `google-api-python-client`: that SDK is
synchronous (httplib2) and would hold a worker thread per call, while this is one async
request. The token is fresh when a block runs (the credentials store refreshes it first).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from apps.blocks.provider_http import provider_url, request_json
from apps.credentials.types import OAuth2Credentials

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
CREDENTIALS_DESCRIPTION = "The Google integration requires OAuth2 authentication."


def segment(value: str) -> str:
    """A user-given id as one path segment: `../labels` must not reach another resource."""
    return quote(value, safe="")


def gmail_url(path: str) -> str:
    return provider_url("gmail", f"/gmail/v1/users/me/{path}")


def calendar_url(path: str) -> str:
    return provider_url("google_calendar", f"/calendar/v3/{path}")


async def google_request(
    method: str,
    url: str,
    *,
    credentials: OAuth2Credentials,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
) -> Any:
    return await request_json(
        "Google", method, url, headers={"Authorization": credentials.auth_header()}, params=params, json_data=json_body
    )

"""Websocket origin check.

CORS does not apply to websockets, so a browser page on any site could open one
with the user's token. Browsers always send `Origin`: it must be the site's own
host or one of CORS_ALLOWED_ORIGINS. Scripts and servers send none and pass.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings


def origin_allowed(*, origin: str | None, host: str | None) -> bool:
    if origin is None:
        return True
    if origin in settings.CORS_ALLOWED_ORIGINS:
        return True
    parsed = urlsplit(origin)
    return bool(host) and parsed.netloc.lower() == (host or "").lower()


class OriginCheck:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = {name.decode("latin1").lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
        if not origin_allowed(origin=headers.get("origin"), host=headers.get("host")):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)

"""Websocket routes."""

from __future__ import annotations

from typing import Any

from django.urls import path

from apps.realtime.consumers import ExecutionEventsConsumer

websocket_urlpatterns: list[Any] = [
    path("ws", ExecutionEventsConsumer.as_asgi()),
]

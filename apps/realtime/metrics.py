"""Prometheus gauges of the websocket layer, on this process's /metrics."""

from __future__ import annotations

from prometheus_client import Gauge

websockets_open = Gauge("agpt_websockets_open", "Authenticated websocket connections open in this process")

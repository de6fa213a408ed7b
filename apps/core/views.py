"""Plain (non-API) views: health, and JSON answers for Django's 404/500 (503 when a dependency is down)."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from django_redis.exceptions import ConnectionInterrupted
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from apps.core.api.errors import error_body, server_error_body
from apps.core.redis import get_redis


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    get_redis(socket_timeout=settings.REDIS_HEALTH_TIMEOUT_SECONDS).ping()


CHECKS = {"database": _check_database, "redis": _check_redis}


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    failures: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            failures[name] = type(error).__name__
    if not failures:
        return JsonResponse({"status": "healthy"})
    body: dict[str, Any] = {
        "status": "unhealthy",
        **error_body(
            code="SERVICE_UNAVAILABLE",
            message=f"Unhealthy: {', '.join(failures)} unreachable",
            detail=failures,
            hint="Check the failing dependent services.",
        ),
    }
    return JsonResponse(body, status=503)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(code="NOT_FOUND", message="Not found."), status=404)


# Failures that mean a dependency is down (or too busy to answer): the client may retry.
OUTAGES: dict[str, tuple[type[BaseException], ...]] = {
    "The database": (OperationalError, InterfaceError),
    "Redis": (RedisConnectionError, RedisTimeoutError, ConnectionInterrupted, BrokerError),
}
OUTAGE_RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> JsonResponse:
    """Django's handler for any uncaught exception (views, DRF views and middleware alike).

    It is called while that exception is being handled, so `sys.exc_info()` tells an
    outage, answered 503 with `Retry-After`, from a bug, answered 500.
    """
    error = sys.exc_info()[1]
    for dependency, failures in OUTAGES.items():
        if isinstance(error, failures):
            body = error_body(
                code="SERVICE_UNAVAILABLE",
                message=f"{dependency} is unreachable; retry shortly.",
                hint="Retry after the time in the Retry-After header.",
            )
            response = JsonResponse(body, status=503)
            response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
            return response
    return JsonResponse(server_error_body(request), status=500)

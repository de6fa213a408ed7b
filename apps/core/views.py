"""Plain (non-API) views: health, and JSON answers for Django's 404/500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

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


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(server_error_body(request), status=500)

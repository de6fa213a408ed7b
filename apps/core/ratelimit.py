"""Rate limits on django-ratelimit, counted atomically in Redis.

Each limit is a DRF throttle class naming a scope (a key of `settings.RATE_LIMITS`)
and whose identity it counts (client address, user, API key). The usage of the
most constrained limit is kept on the request, and `RateLimitHeadersMiddleware`
turns it into `X-RateLimit-*` headers; a refused request answers 429 with
`Retry-After` through the exception handler.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = structlog.get_logger(__name__)

USAGE_ATTRIBUTE = "ratelimit_usage"


def client_ip(request: HttpRequest) -> str:
    """The caller's address: the trusted proxy's header when configured, else the socket peer."""
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get(header, "")
        # X-Forwarded-For style lists: the last hop is the one our proxy appended.
        candidate = forwarded.split(",")[-1].strip()
        if candidate:
            return candidate
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class ScopedRateLimit(BaseThrottle):
    scope = "default"

    def identity(self, request: Request) -> str:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        django_request = request._request
        identity = self.identity(request)
        try:
            usage = get_usage(
                django_request,
                group=f"rl.{self.scope}",
                key=lambda _group, _request: identity,
                rate=settings.RATE_LIMITS[self.scope],
                increment=True,
            )
        except (RedisError, ConnectionInterrupted, OSError) as error:
            # Redis down: /health reports it; refusing every request would turn a
            # cache outage into a full outage, so limits fail open.
            logger.warning("ratelimit_unavailable", scope=self.scope, error=type(error).__name__)
            return True
        if usage is None:
            return True
        self.wait_seconds = max(int(usage["time_left"]), 1)
        remaining = max(int(usage["limit"]) - int(usage["count"]), 0)
        current = getattr(django_request, USAGE_ATTRIBUTE, None)
        if current is None or remaining <= current["remaining"]:
            setattr(
                django_request,
                USAGE_ATTRIBUTE,
                {"limit": usage["limit"], "remaining": remaining, "reset": self.wait_seconds},
            )
        return not usage["should_limit"]

    def wait(self) -> float | None:
        return float(getattr(self, "wait_seconds", 1))


class AuthRateLimit(ScopedRateLimit):
    """Sign-in, registration and refresh, per client address."""

    scope = "auth"

    def identity(self, request: Request) -> str:
        return f"ip:{client_ip(request._request)}"


class UserRateLimit(ScopedRateLimit):
    """The generous default for authenticated routes, per user (per address when anonymous)."""

    scope = "default"

    def identity(self, request: Request) -> str:
        user = request.user
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{client_ip(request._request)}"


class ExecuteRateLimit(UserRateLimit):
    """Starting executions, per user."""

    scope = "execute"

"""Rate limits on django-ratelimit, counted atomically in Redis.

Each limit is a DRF throttle class naming a scope (a key of `settings.RATE_LIMITS`)
and whose identity it counts (client address, user, API key). The usage of the
most constrained limit is kept on the request, and `RateLimitHeadersMiddleware`
turns it into `X-RateLimit-*` headers; a refused request answers 429 with
`Retry-After` through the exception handler. `FailedAttemptLimit` counts only
failed authentication attempts, for authentication classes to call. Address-based
limits count an IPv6 client by its /64.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = structlog.get_logger(__name__)

USAGE_ATTRIBUTE = "ratelimit_usage"


def client_ip(request: HttpRequest) -> str:
    """The caller's address: the trusted router's header when configured, else the socket peer.

    A Heroku-style router appends the address it saw to `X-Forwarded-For`, so the
    last entry is the one to trust: anything before it came from the client.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        candidate = request.META.get(header, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def client_network(request: HttpRequest) -> str:
    """Whom address-based limits count: the address, or for IPv6 its /64 (as its first address).

    One host is routinely given a whole /64, so counting single IPv6 addresses would
    give each client 2**64 budgets.
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def admin_login_client(request: HttpRequest) -> str | None:
    """django-axes' view of the client: its network as above, None for a request without an address."""
    network = client_network(request)
    try:
        return str(ipaddress.ip_address(network))
    except ValueError:
        return None


def _usage(request: HttpRequest, *, scope: str, group: str, identity: str, increment: bool) -> dict[str, Any] | None:
    """The window's count for `identity` (django-ratelimit: an atomic ADD/INCR on Redis); None if not limited."""
    try:
        return get_usage(
            request,
            group=group,
            key=lambda _group, _request: identity,
            rate=settings.RATE_LIMITS[scope],
            increment=increment,
        )
    except (RedisError, ConnectionInterrupted, OSError) as error:
        # Redis down: /health reports it; refusing every request would turn a
        # cache outage into a full outage, so limits fail open.
        logger.warning("ratelimit_unavailable", scope=scope, error=type(error).__name__)
        return None


def _remember(request: HttpRequest, usage: dict[str, Any], *, count: int | None = None) -> int:
    """Keeps the most constrained usage on the request for the headers; the seconds until the window ends."""
    wait_seconds = max(int(usage["time_left"]), 1)
    remaining = max(int(usage["limit"]) - int(usage["count"] if count is None else count), 0)
    current = getattr(request, USAGE_ATTRIBUTE, None)
    if current is None or remaining <= current["remaining"]:
        setattr(request, USAGE_ATTRIBUTE, {"limit": usage["limit"], "remaining": remaining, "reset": wait_seconds})
    return wait_seconds


class ScopedRateLimit(BaseThrottle):
    scope = "default"

    def identity(self, request: Request) -> str:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        django_request = request._request
        usage = _usage(
            django_request, scope=self.scope, group=f"rl.{self.scope}", identity=self.identity(request), increment=True
        )
        if usage is None:
            return True
        self.wait_seconds = _remember(django_request, usage)
        return not usage["should_limit"]

    def wait(self) -> float | None:
        return float(getattr(self, "wait_seconds", 1))


class AuthRateLimit(ScopedRateLimit):
    """Sign-in, registration and refresh, per client address."""

    scope = "auth"

    def identity(self, request: Request) -> str:
        return f"ip:{client_network(request._request)}"


class UserRateLimit(ScopedRateLimit):
    """The generous default for authenticated routes, per user (per address when anonymous)."""

    scope = "default"

    def identity(self, request: Request) -> str:
        user = request.user
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{client_network(request._request)}"


class ExecuteRateLimit(UserRateLimit):
    """Starting executions, per user."""

    scope = "execute"


class ApiKeyRateLimit(ScopedRateLimit):
    """The external API, per API key (the authenticated request's `request.auth`)."""

    scope = "external"

    def identity(self, request: Request) -> str:
        key_id = getattr(request.auth, "pk", None)
        if key_id is None:
            return f"ip:{client_network(request._request)}"
        return f"api_key:{key_id}"


class FailedAttemptLimit:
    """Failed authentication attempts per client network, e.g. guessed API keys.

    Only failures count, and only failures are refused: a valid credential always
    passes, so clients sharing an address (behind one router or NAT) are never
    locked out by someone else's guesses. Whether a failure may still be answered
    as such is decided by its own atomic increment, so concurrent guesses are told
    "invalid" at most `limit` times per window; past that they answer 429.
    """

    def __init__(self, *, name: str, scope: str = "auth") -> None:
        self.group = f"rl.{scope}.failures.{name}"
        self.scope = scope

    def record_failure(self, request: HttpRequest) -> None:
        """Counts one failure; raises `Throttled` if it was over the budget."""
        identity = f"ip:{client_network(request)}"
        usage = _usage(request, scope=self.scope, group=self.group, identity=identity, increment=True)
        if usage is None:
            return
        wait_seconds = _remember(request, usage)
        if usage["should_limit"]:
            raise Throttled(wait=wait_seconds)

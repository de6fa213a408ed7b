"""`X-API-Key` authentication with upstream's 401 messages, and a brake on guessing."""

from __future__ import annotations

import structlog
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from apps.accounts.models import User
from apps.api_keys.models import APIKey
from apps.api_keys.services import api_key_authenticate
from apps.core.ratelimit import FailedAttemptLimit, client_ip

logger = structlog.get_logger(__name__)

API_KEY_HEADER_NAME = "X-API-Key"
MISSING_API_KEY = "Missing API key"
INVALID_API_KEY = "Invalid API key"

# Wrong keys per client address, at the `auth` rate (RATE_LIMIT_AUTH); a valid key is never refused by it.
FAILED_API_KEYS = FailedAttemptLimit(name="api_key")


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates by `X-API-Key` only: `request.user` is the key's owner, `request.auth` the `APIKey`."""

    def authenticate(self, request: Request) -> tuple[User, APIKey]:
        # As upstream (FastAPI's APIKeyHeader), an empty header counts as a missing one.
        plaintext = request.headers.get(API_KEY_HEADER_NAME, "")
        if not plaintext:
            raise AuthenticationFailed(MISSING_API_KEY)
        resolved = api_key_authenticate(plaintext=plaintext)
        if resolved is None:
            django_request = request._request
            logger.info("api_key_rejected", client=client_ip(django_request))
            FAILED_API_KEYS.record_failure(django_request)
            raise AuthenticationFailed(INVALID_API_KEY)
        api_key, user = resolved
        return user, api_key

    def authenticate_header(self, request: Request) -> str:
        return f'APIKey header="{API_KEY_HEADER_NAME}"'

from __future__ import annotations

from apps.core.exceptions import ApplicationError


class ApiKeyRevokedError(ApplicationError):
    """Revocation is final: a revoked key cannot be suspended (nor reactivated)."""

    code = "API_KEY_REVOKED"

    def default_message(self) -> str:
        return "API key is revoked"

"""Credential errors, rendered by the one exception handler. None of them ever carries a secret."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError

CREDENTIALS_NOT_FOUND = "Credentials not found"
INVALID_STATE_TOKEN = "Invalid or expired state token"


class CredentialsNotFoundError(NotFoundError):
    def default_message(self) -> str:
        return CREDENTIALS_NOT_FOUND


class PlatformCredentialsError(PermissionDeniedError):
    def default_message(self) -> str:
        return "System-managed credentials cannot be deleted"


class TooManyCredentialsError(ApplicationError):
    code = "TOO_MANY_CREDENTIALS"


class CredentialsDecryptionError(ApplicationError):
    """A stored secret no configured key opens: the keys were changed without rotating first."""

    status_code = 500
    code = "CREDENTIALS_UNREADABLE"
    hint = "Check CREDENTIALS_ENCRYPTION_KEYS: it must still hold the key these credentials were encrypted with."

    def default_message(self) -> str:
        return "Stored credentials could not be decrypted with the configured keys."


class OAuthNotSupportedError(NotFoundError):
    def __init__(self, provider: str) -> None:
        super().__init__(f"Provider '{provider}' does not support OAuth")


class OAuthNotConfiguredError(ApplicationError):
    status_code = 501
    code = "NOT_CONFIGURED"
    hint = "Set client ID and secret in the application's deployment environment"

    def __init__(self, provider: str) -> None:
        super().__init__(f"Integration with provider '{provider}' is not configured.")


class InvalidStateTokenError(ApplicationError):
    code = "INVALID_STATE_TOKEN"

    def default_message(self) -> str:
        return INVALID_STATE_TOKEN


class OAuthProviderError(ApplicationError):
    """The provider refused or failed a token request. The message is the provider's error, never a token."""

    code = "OAUTH_PROVIDER_ERROR"


class CodeExchangeError(ApplicationError):
    code = "OAUTH_CODE_EXCHANGE_FAILED"

    def __init__(self, reason: str) -> None:
        super().__init__(f"OAuth2 callback failed to exchange code for tokens: {reason}")


class CredentialsUnavailableError(ApplicationError):
    """A node's credentials cannot be used: gone, or their tokens could not be refreshed."""

    code = "CREDENTIALS_UNAVAILABLE"

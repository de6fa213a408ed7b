"""Writes on credentials: create, delete (revoking OAuth2 tokens), refresh before use, re-encrypt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from django.db import transaction
from pydantic import SecretStr
from redis.exceptions import LockError

from apps.accounts.models import User
from apps.core.redis import get_redis
from apps.credentials.codec import stored_fields, to_runtime
from apps.credentials.crypto import reencrypt
from apps.credentials.exceptions import (
    CredentialsDecryptionError,
    CredentialsNotFoundError,
    CredentialsUnavailableError,
    OAuthNotConfiguredError,
    OAuthNotSupportedError,
    OAuthProviderError,
    PlatformCredentialsError,
    TooManyCredentialsError,
)
from apps.credentials.models import Credential, CredentialType, OAuthState
from apps.credentials.oauth import oauth_handler
from apps.credentials.oauth.base import OAuthHandler
from apps.credentials.platform import is_platform_credentials_id, platform_credential
from apps.credentials.selectors import (
    credential_get_for_user,
    credential_preset_usages,
    credential_schedule_usages,
    credential_usages,
)
from apps.credentials.types import (
    AnyCredentials,
    APIKeyCredentials,
    HostScopedCredentials,
    OAuth2Credentials,
    UserPasswordCredentials,
)
from apps.webhooks.services import webhooks_release_credentials

logger = structlog.get_logger(__name__)

MAX_CREDENTIALS_PER_USER = 1000
# Long enough for a token request to time out inside it.
REFRESH_LOCK_SECONDS = 30


def credential_store(*, user: User, credentials: AnyCredentials) -> Credential:
    """Stores new credentials of the user (under a fresh id, whatever the object says)."""
    if Credential.objects.filter(user=user).count() >= MAX_CREDENTIALS_PER_USER:
        raise TooManyCredentialsError(
            f"A user may keep at most {MAX_CREDENTIALS_PER_USER} credentials; delete some first."
        )
    return Credential.objects.create(id=uuid.uuid4(), user=user, **stored_fields(credentials))


def credential_create(*, user: User, provider: str, data: dict[str, Any]) -> Credential:
    """API keys, usernames with passwords and host-scoped headers, as the user typed them in."""
    common: dict[str, Any] = {"id": str(uuid.uuid4()), "provider": provider, "title": data.get("title")}
    credentials: AnyCredentials
    if data["type"] == CredentialType.API_KEY:
        credentials = APIKeyCredentials(**common, api_key=SecretStr(data["api_key"]), expires_at=data.get("expires_at"))
    elif data["type"] == CredentialType.USER_PASSWORD:
        credentials = UserPasswordCredentials(
            **common, username=SecretStr(data["username"]), password=SecretStr(data["password"])
        )
    else:
        headers = {name: SecretStr(value) for name, value in data.get("headers", {}).items()}
        credentials = HostScopedCredentials(**common, host=data["host"], headers=headers)
    return credential_store(user=user, credentials=credentials)


@dataclass(frozen=True)
class Deletion:
    deleted: bool
    revoked: bool | None = None
    message: str | None = None


def _counted(names: list[str], noun: str) -> str:
    shown = ", ".join(f"'{name}'" for name in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} {noun}{'s' if len(names) != 1 else ''} ({shown})"


def _usage_message(agents: list[str], schedules: list[str], presets: list[str]) -> str:
    users = [
        _counted(names, noun)
        for names, noun in ((agents, "agent"), (schedules, "schedule"), (presets, "preset"))
        if names
    ]
    return f"These credentials are still used by {' and '.join(users)}; delete them with force=true to proceed anyway"


def _revoke(provider: str, credentials: OAuth2Credentials) -> bool:
    try:
        handler = oauth_handler(provider)
    except (OAuthNotSupportedError, OAuthNotConfiguredError):
        return False
    return handler.revoke(credentials)


@transaction.atomic
def credential_delete(*, user: User, provider: str, credentials_id: str, force: bool) -> Deletion:
    """Deletes the user's credentials unless an agent, a schedule or a preset still uses them (and `force` is off).

    Webhooks registered with them go too (their triggers and presets let go of them), removed at
    the provider after commit. OAuth2 tokens are revoked at the provider after the row is gone;
    `revoked` says whether that worked (None for credentials that cannot be revoked).
    """
    if is_platform_credentials_id(credentials_id):
        platform = platform_credential(credentials_id)
        if platform is None or platform.provider != provider:
            raise CredentialsNotFoundError()
        raise PlatformCredentialsError()
    row = credential_get_for_user(user=user, credentials_id=credentials_id, provider=provider)
    if not force:
        agents = credential_usages(user=user, credentials_id=str(row.id))
        schedules = credential_schedule_usages(user=user, credentials_id=str(row.id))
        presets = credential_preset_usages(user=user, credentials_id=str(row.id))
        if agents or schedules or presets:
            return Deletion(deleted=False, message=_usage_message(agents, schedules, presets))
    try:
        runtime: AnyCredentials | None = to_runtime(row)
    except CredentialsDecryptionError:
        runtime = None  # unreadable secrets can neither remove webhooks nor be revoked; the row still goes
    if runtime is not None:
        webhooks_release_credentials(user=user, credentials=runtime)
    if not Credential.objects.filter(pk=row.pk).delete()[0]:
        raise CredentialsNotFoundError()
    if row.type != CredentialType.OAUTH2:
        return Deletion(deleted=True)
    tokens = runtime if isinstance(runtime, OAuth2Credentials) else None
    return Deletion(deleted=True, revoked=_revoke(provider, tokens) if tokens is not None else False)


# --- use -------------------------------------------------------------------------------


def _unavailable(credentials_id: object) -> CredentialsUnavailableError:
    return CredentialsUnavailableError(
        f"Credentials #{credentials_id} are not available: they were deleted, or never were this user's"
    )


def _refreshed(pk: uuid.UUID, handler: OAuthHandler) -> AnyCredentials:
    """Refreshes the tokens under a lock per credential, so concurrent users of them refresh once."""
    lock = get_redis().lock(
        f"agpt:credentials:refresh:{pk}", timeout=REFRESH_LOCK_SECONDS, blocking_timeout=REFRESH_LOCK_SECONDS
    )
    try:
        with lock:
            row = Credential.objects.filter(pk=pk).first()
            if row is None:
                raise _unavailable(pk)
            current = to_runtime(row)
            if not isinstance(current, OAuth2Credentials) or not handler.needs_refresh(current):
                return current  # another worker refreshed them while this one waited
            try:
                refreshed = handler.refresh(current)
            except OAuthProviderError as error:
                raise CredentialsUnavailableError(
                    f"The {row.provider} credentials #{pk} could not be refreshed: {error.message}"
                ) from error
            fields = stored_fields(refreshed)
            with transaction.atomic():
                if not Credential.objects.filter(pk=pk).update(**fields):
                    raise _unavailable(pk)
            logger.info("oauth_tokens_refreshed", provider=row.provider, row_id=str(pk))
            return refreshed
    except LockError as error:
        raise CredentialsUnavailableError(
            f"The credentials #{pk} are being refreshed by another worker for too long; try again"
        ) from error


def credentials_acquire(*, user_id: Any, credentials_id: str) -> AnyCredentials:
    """The user's (or the platform's) credentials, secrets decrypted, OAuth2 tokens refreshed if about to expire."""
    platform = platform_credential(credentials_id)
    if platform is not None:
        return platform
    try:
        row = Credential.objects.filter(pk=uuid.UUID(str(credentials_id)), user_id=user_id).first()
    except ValueError:
        row = None
    if row is None:
        raise _unavailable(credentials_id)
    try:
        credentials = to_runtime(row)
    except CredentialsDecryptionError as error:
        raise CredentialsUnavailableError(
            f"Credentials #{row.id} cannot be decrypted with the configured CREDENTIALS_ENCRYPTION_KEYS"
        ) from error
    if isinstance(credentials, OAuth2Credentials) and OAuthHandler.needs_refresh(credentials):
        try:
            handler = oauth_handler(row.provider)
        except (OAuthNotSupportedError, OAuthNotConfiguredError) as error:
            raise CredentialsUnavailableError(
                f"The {row.provider} credentials #{row.id} have expired and cannot be refreshed: {error.message}"
            ) from error
        credentials = _refreshed(row.pk, handler)
    return credentials


# --- keys --------------------------------------------------------------------------------


def credentials_reencrypt_all() -> int:
    """Re-encrypts every stored secret under the newest key; returns how many rows were rewritten.

    Each row is rewritten only if it still holds what was read: one a refresh
    rewrote meanwhile is already under the newest key.
    """
    rewritten = 0
    for model, column in ((Credential, "encrypted_secret"), (OAuthState, "encrypted_code_verifier")):
        for pk, token in model.objects.values_list("pk", column).iterator(chunk_size=500):
            rewritten += model.objects.filter(pk=pk, **{column: token}).update(**{column: reencrypt(token)})
    return rewritten

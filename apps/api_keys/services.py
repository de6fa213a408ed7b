"""Writes on API keys. A key's status changes only here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers

from apps.accounts.models import User
from apps.api_keys.exceptions import ApiKeyRevokedError
from apps.api_keys.keys import key_generate
from apps.api_keys.models import APIKey, APIKeyStatus, permissions_normalized
from apps.api_keys.selectors import api_key_resolve

logger = structlog.get_logger(__name__)

# How stale `last_used_at` may be: at most one write per key per interval, however busy the key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _permissions(values: Sequence[str]) -> list[str]:
    try:
        return permissions_normalized(values)
    except DjangoValidationError as error:
        raise serializers.ValidationError({"permissions": list(error.messages)}) from error


def api_key_create(
    *,
    user: User,
    name: str,
    permissions: Sequence[str],
    description: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[APIKey, str]:
    """A new active key and its plaintext, which is not kept anywhere: the caller shows it once."""
    generated = key_generate()
    api_key = APIKey.objects.create(
        user=user,
        name=name,
        description=description or "",
        head=generated.head,
        tail=generated.tail,
        hash=generated.hash,
        permissions=_permissions(permissions),
        expires_at=expires_at,
    )
    logger.info("api_key_created", key_id=str(api_key.pk), user_id=str(user.pk))
    return api_key, generated.plaintext


def api_key_revoke(*, api_key: APIKey) -> APIKey:
    """Revoked for good (there is no way back). Revoking again changes nothing, not even `revoked_at`."""
    revoked = (
        APIKey.objects.filter(pk=api_key.pk)
        .exclude(status=APIKeyStatus.REVOKED)
        .update(status=APIKeyStatus.REVOKED, revoked_at=timezone.now())
    )
    api_key.refresh_from_db(fields=["status", "revoked_at"])
    if revoked:
        logger.info("api_key_revoked", key_id=str(api_key.pk))
    return api_key


def api_key_suspend(*, api_key: APIKey) -> APIKey:
    # A guarded UPDATE, so a concurrent revoke cannot be overwritten by a suspend.
    suspended = APIKey.objects.filter(pk=api_key.pk, status=APIKeyStatus.ACTIVE).update(status=APIKeyStatus.SUSPENDED)
    api_key.refresh_from_db(fields=["status", "revoked_at"])
    if api_key.status == APIKeyStatus.REVOKED:
        raise ApiKeyRevokedError()
    if suspended:
        logger.info("api_key_suspended", key_id=str(api_key.pk))
    return api_key


def api_key_update_permissions(*, api_key: APIKey, permissions: Sequence[str]) -> APIKey:
    api_key.permissions = _permissions(permissions)
    api_key.save(update_fields=["permissions"])
    logger.info("api_key_permissions_updated", key_id=str(api_key.pk), permissions=api_key.permissions)
    return api_key


def api_key_record_use(*, api_key: APIKey) -> None:
    """Sets `last_used_at`, at most once per `LAST_USED_RESOLUTION`.

    One conditional UPDATE, not a read-modify-write: of concurrent requests only
    those that still see an old value write, and a busy key costs one write a minute.
    """
    now = timezone.now()
    stale_before = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > stale_before:
        return
    updated = (
        APIKey.objects.filter(pk=api_key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before))
        .update(last_used_at=now)
    )
    if updated:
        api_key.last_used_at = now


def api_key_authenticate(*, plaintext: str) -> tuple[APIKey, User] | None:
    """The key and user a plaintext key authenticates, recording the use; None if it does not.

    The one entry point for every transport that accepts API keys (the `X-API-Key`
    header, the websocket's `?api_key=`).
    """
    resolved = api_key_resolve(plaintext=plaintext)
    if resolved is not None:
        api_key_record_use(api_key=resolved[0])
    return resolved

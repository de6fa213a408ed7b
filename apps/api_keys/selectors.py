from __future__ import annotations

import hmac
import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.api_keys.keys import key_hash, key_head, key_is_well_formed
from apps.api_keys.models import APIKey, APIKeyStatus
from apps.core.exceptions import NotFoundError

API_KEY_NOT_FOUND = "API key not found"


def api_key_list(*, user: User) -> QuerySet[APIKey]:
    return APIKey.objects.filter(user=user).order_by("-created_at", "-id")


def api_key_get_for_user(*, user: User, key_id: str | uuid.UUID) -> APIKey:
    """The user's key; the same `NotFoundError` whether it is missing or someone else's."""
    try:
        pk = uuid.UUID(str(key_id))
    except ValueError as error:
        raise NotFoundError(API_KEY_NOT_FOUND) from error
    api_key = APIKey.objects.filter(pk=pk, user=user).first()
    if api_key is None:
        raise NotFoundError(API_KEY_NOT_FOUND)
    return api_key


def api_key_resolve(*, plaintext: str) -> tuple[APIKey, User] | None:
    """The usable key a plaintext names, and its user; None for anything else.

    Malformed, unknown, revoked, suspended and expired keys, and keys of inactive
    users, all answer None, so callers cannot tell them apart. Candidates share the
    8-character head (about 18 random bits), so several may match it: every one is
    compared, in constant time, and the loop does not stop at the first match.
    """
    if not key_is_well_formed(plaintext):
        return None
    digest = key_hash(plaintext)
    candidates = (
        APIKey.objects.select_related("user")
        .filter(head=key_head(plaintext), status=APIKeyStatus.ACTIVE, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    )
    found: APIKey | None = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.hash, digest) and found is None:
            found = candidate
    if found is None:
        return None
    return found, found.user

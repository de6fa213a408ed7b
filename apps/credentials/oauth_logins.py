"""OAuth2 logins: the state a login starts with, and the callback that turns its code into credentials.

The state token is the anti-CSRF nonce the provider sends back; only its SHA-256
is stored, with the PKCE code verifier (encrypted), the scopes asked for and a
10-minute expiry. It is consumed by the first callback that presents it: the
row is deleted by whoever deletes it first, so two callbacks racing with the
same state cannot both succeed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

import structlog
from django.utils import timezone

from apps.accounts.models import User
from apps.credentials.crypto import decrypt_json, encrypt_json
from apps.credentials.exceptions import CodeExchangeError, InvalidStateTokenError, OAuthProviderError
from apps.credentials.models import Credential, OAuthState
from apps.credentials.oauth import oauth_handler
from apps.credentials.services import credential_store

logger = structlog.get_logger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
# Logins a user may have pending at once; starting another forgets the oldest.
MAX_PENDING_LOGINS = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def oauth_login_start(*, user: User, provider: str, scopes: list[str]) -> tuple[str, str]:
    """`(login_url, state_token)` for the user to sign in at the provider."""
    handler = oauth_handler(provider)
    now = timezone.now()
    pending = OAuthState.objects.filter(user=user)
    pending.filter(expires_at__lte=now).delete()
    stale = pending.order_by("-created_at", "-id").values_list("pk", flat=True)[MAX_PENDING_LOGINS - 1 :]
    OAuthState.objects.filter(pk__in=list(stale)).delete()

    token = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    OAuthState.objects.create(
        user=user,
        provider=provider,
        token_hash=_hash(token),
        scopes=scopes,
        encrypted_code_verifier=encrypt_json(verifier),
        expires_at=now + STATE_LIFETIME,
    )
    login_url = handler.login_url(
        scopes=handler.scopes_or_defaults(scopes), state=token, code_challenge=_code_challenge(verifier)
    )
    return login_url, token


def _consume_state(*, user: User, provider: str, token: str) -> OAuthState:
    state = OAuthState.objects.filter(
        user=user, provider=provider, token_hash=_hash(token), expires_at__gt=timezone.now()
    ).first()
    if state is None or not OAuthState.objects.filter(pk=state.pk).delete()[0]:
        raise InvalidStateTokenError()
    return state


def oauth_login_complete(*, user: User, provider: str, code: str, state_token: str) -> Credential:
    """Exchanges the code the provider gave for tokens, and stores them as the user's credentials."""
    handler = oauth_handler(provider)
    state = _consume_state(user=user, provider=provider, token=state_token)
    scopes = handler.scopes_or_defaults(list(state.scopes))
    try:
        credentials = handler.exchange_code(
            code=code, scopes=scopes, code_verifier=decrypt_json(state.encrypted_code_verifier)
        )
    except OAuthProviderError as error:
        raise CodeExchangeError(error.message) from error
    if not set(scopes) <= set(credentials.scopes):
        logger.warning("oauth_scopes_narrowed", provider=provider, requested=scopes, granted=credentials.scopes)
    return credential_store(user=user, credentials=credentials)

"""Bearer-token authentication with AutoGPT's 401 messages."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.tokens import AccessToken

from apps.accounts.models import User

TOKEN_EXPIRED = "Token has expired"
USER_ID_MISSING = "User ID not found in token"


def user_for_access_token(raw_token: str) -> User:
    """The active user an access token names; `AuthenticationFailed` with upstream's text otherwise."""
    try:
        token = AccessToken(raw_token)  # type: ignore[arg-type]
    except ExpiredTokenError as error:
        raise AuthenticationFailed(TOKEN_EXPIRED) from error
    except TokenError as error:
        raise AuthenticationFailed(f"Invalid token: {error}") from error
    subject = token.get("sub")
    if not subject:
        raise AuthenticationFailed(USER_ID_MISSING)
    try:
        user_id = uuid.UUID(str(subject))
    except ValueError as error:
        raise AuthenticationFailed("Invalid token: subject is not a user id") from error
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise AuthenticationFailed("Invalid token: user not found")
    return user


class BearerTokenAuthentication(JWTAuthentication):
    def authenticate(self, request: Request) -> tuple[User, Any] | None:  # type: ignore[override]
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            raise AuthenticationFailed("Invalid token: expected 'Authorization: Bearer <token>'")
        return user_for_access_token(raw_token.decode("latin1")), raw_token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"

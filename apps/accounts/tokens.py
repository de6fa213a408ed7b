"""JWTs in the Supabase/AutoGPT claim shape: `sub`, `aud: "authenticated"`, `role`, `email`, `exp`."""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import User


class UserRefreshToken(RefreshToken):
    @classmethod
    def for_user(cls, user: Any) -> UserRefreshToken:
        token = super().for_user(user)
        # Claims on the refresh token are copied into every access token it mints.
        token["role"] = user.role if isinstance(user, User) else "authenticated"
        token["email"] = user.email
        return token  # type: ignore[return-value]

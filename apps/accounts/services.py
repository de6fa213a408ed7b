"""Writes on users and their tokens."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import TIMEZONE_NOT_SET, User
from apps.accounts.tokens import UserRefreshToken
from apps.core.exceptions import ApplicationError
from apps.credits.services import credits_grant_new_user


class EmailTakenError(ApplicationError):
    code = "EMAIL_TAKEN"

    def default_message(self) -> str:
        return "A user with this email already exists."


class InvalidRefreshTokenError(ApplicationError):
    status_code = 401
    code = "INVALID_TOKEN"

    def default_message(self) -> str:
        return "Invalid token: refresh token is invalid, expired or already used"


def _normalize_email(email: str) -> str:
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def user_create(*, email: str, password: str | None, name: str = "", **fields: Any) -> User:
    user = User(email=_normalize_email(email), name=name, **fields)
    if password is not None:
        try:
            validate_password(password, user)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise EmailTakenError() from error
    credits_grant_new_user(user_id=user.pk)
    return user


def user_set_timezone(*, user: User, timezone: str) -> User:
    if timezone != TIMEZONE_NOT_SET and timezone not in available_timezones():
        raise serializers.ValidationError({"timezone": [f"Unknown IANA timezone: {timezone!r}."]})
    user.timezone = timezone
    user.save(update_fields=["timezone", "updated_at"])
    return user


def tokens_issue(*, user: User) -> dict[str, str]:
    refresh = UserRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        return UserRefreshToken(raw)  # type: ignore[arg-type]  # the stubs miss that a token string is accepted
    except TokenError as error:
        raise InvalidRefreshTokenError() from error


@transaction.atomic
def _blacklist_once(token: RefreshToken) -> OutstandingToken:
    """Blacklists `token`, failing if it already was.

    The outstanding row is locked first, so two concurrent refreshes of one
    token cannot both pass the check (simplejwt's own serializer can).
    """
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token["jti"]).first()
    if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise InvalidRefreshTokenError()
    BlacklistedToken.objects.create(token=outstanding)
    return outstanding


def tokens_refresh(*, refresh: str) -> dict[str, str]:
    """Rotation: the presented refresh token is spent and a new pair issued."""
    token = _parse_refresh(refresh)
    with transaction.atomic():
        outstanding = _blacklist_once(token)
        user = outstanding.user
        if user is None or not user.is_active:
            raise InvalidRefreshTokenError()
        return tokens_issue(user=user)


def tokens_revoke(*, refresh: str, user: User) -> None:
    token = _parse_refresh(refresh)
    if str(token.get("sub")) != str(user.pk):
        raise InvalidRefreshTokenError()
    _blacklist_once(token)

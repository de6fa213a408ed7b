from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.api_keys.models import APIKey, APIKeyPermission


def permission_denied_message(permission: str) -> str:
    return f"API key lacks the required permission '{permission}'"


class HasApiKeyPermission(BasePermission):
    """The request's API key holds the view's `required_permission` (403 naming it otherwise)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        required = getattr(view, "required_permission", None)
        if required not in APIKeyPermission.values:
            raise ImproperlyConfigured(f"{type(view).__name__} must set required_permission to an APIKeyPermission.")
        api_key = request.auth
        if not isinstance(api_key, APIKey):
            return False
        if required not in api_key.permissions:
            raise PermissionDenied(permission_denied_message(str(required)))
        return True

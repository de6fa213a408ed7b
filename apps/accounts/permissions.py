from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

ADMIN_REQUIRED = "Admin access required"


class IsAdmin(BasePermission):
    """Staff only. Checked against the user row, not the token's (possibly stale) role claim."""

    message = ADMIN_REQUIRED

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)

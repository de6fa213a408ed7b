"""Typing for views behind authentication: their `request.user` is a `User`, never anonymous."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request

if TYPE_CHECKING:
    from apps.accounts.models import User

    class AuthenticatedRequest(Request):
        user: User

else:
    AuthenticatedRequest = Request

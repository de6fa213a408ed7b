"""What a client locked out by django-axes (too many wrong passwords) is answered."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.api.errors import error_body

LOCKED_MESSAGE = "Account locked: too many login attempts. Please try again later."


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """A 429: the API's JSON error under /api/ (clients read every error there as JSON), text elsewhere."""
    if request.path.startswith("/api/"):
        body = error_body(code="ACCOUNT_LOCKED", message=LOCKED_MESSAGE, hint="Wait and retry.")
        return JsonResponse(body, status=429)
    return HttpResponse(LOCKED_MESSAGE, status=429, content_type="text/plain; charset=utf-8")

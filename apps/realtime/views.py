"""`/dashboard/`: one server-rendered page; the script in it talks to the REST API and /ws."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# The page loads its own script and style only, and talks only to this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    response = render(request, "realtime/dashboard.html")
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response

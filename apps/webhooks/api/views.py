"""Webhook ingress (public: the provider's signature is the check) and ping (the owner's)."""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.responses import JSON_NULL, json_null
from apps.core.api.types import AuthenticatedRequest
from apps.core.ratelimit import ScopedRateLimit, UserRateLimit
from apps.webhooks.deliveries import webhook_receive
from apps.webhooks.exceptions import WebhookNotFoundError
from apps.webhooks.pings import webhook_ping


class WebhookIngressRateLimit(ScopedRateLimit):
    """Deliveries per webhook: one webhook's sender cannot flood the workers, nor starve another's."""

    scope = "webhook"

    def identity(self, request: Request) -> str:
        kwargs = (request.parser_context or {}).get("kwargs", {})
        return f"webhook:{kwargs.get('webhook_id', '')}"


def _webhook_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise WebhookNotFoundError(value) from error


class WebhookIngressApi(APIView):
    documented_errors = {401: "The delivery's signature does not verify."}

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [WebhookIngressRateLimit]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiResponse(JSON_NULL, description="The delivery was accepted (null).")},
        auth=[],
    )
    def post(self, request: Request, provider: str, webhook_id: str) -> HttpResponse:
        webhook_receive(provider=provider, webhook_id=_webhook_uuid(webhook_id), request=request._request)
        return json_null()


class WebhookPingApi(APIView):
    documented_errors = {504: "The provider did not deliver the ping in time."}

    throttle_classes = [UserRateLimit]

    @extend_schema(request=None, responses={200: OpenApiTypes.BOOL})
    def post(self, request: AuthenticatedRequest, webhook_id: str) -> Response:
        return Response(webhook_ping(user=request.user, webhook_id=_webhook_uuid(webhook_id)))

"""What a webhook provider does: check a delivery, and register, remove or ping a webhook.

Manual providers (the generic webhook) never talk to anyone: the user hands the
webhook's URL out. Automatic ones call the provider's API with the user's credentials.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from apps.core.api.parsers import json_depth_exceeds
from apps.credentials.types import AnyCredentials
from apps.webhooks.exceptions import WebhookPayloadError
from apps.webhooks.models import Webhook


@dataclass(frozen=True)
class Delivery:
    payload: dict[str, Any]
    event_type: str
    delivery_id: str


@dataclass(frozen=True)
class Registration:
    provider_webhook_id: str
    config: dict[str, Any]


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, refused with a 400 naming what is wrong (never a crash on hostile input)."""
    try:
        payload = json.loads(body or b"null")
    except RecursionError as error:
        raise WebhookPayloadError(f"JSON is nested deeper than {settings.JSON_MAX_DEPTH} levels.") from error
    except ValueError as error:
        raise WebhookPayloadError(f"The body is not valid JSON: {error}") from error
    if not isinstance(payload, dict):
        raise WebhookPayloadError("The body must be a JSON object.")
    if json_depth_exceeds(payload, settings.JSON_MAX_DEPTH):
        raise WebhookPayloadError(f"JSON is nested deeper than {settings.JSON_MAX_DEPTH} levels.")
    return payload


def new_delivery_id() -> str:
    return str(uuid.uuid4())


class WebhookProvider:
    name: str
    automatic: bool = False
    # The header carrying the sender's own id of a delivery: a redelivery repeats it.
    delivery_id_header: str = ""

    def receive(
        self, *, webhook: Webhook, secret: str, request: HttpRequest, trigger_inputs: list[dict[str, Any]]
    ) -> Delivery:
        """Checks the delivery's signature (raising `WebhookSignatureError`) and reads it."""
        raise NotImplementedError

    def delivery_id(self, request: HttpRequest) -> str:
        given = request.headers.get(self.delivery_id_header, "").strip() if self.delivery_id_header else ""
        return given[:255] or new_delivery_id()

    def register(
        self,
        *,
        credentials: AnyCredentials,
        webhook_type: str,
        resource: str,
        events: list[str],
        ingress_url: str,
        secret: str,
    ) -> Registration:
        raise NotImplementedError(f"{self.name} webhooks are not registered with the provider")

    def deregister(self, *, webhook: Webhook, credentials: AnyCredentials) -> None:
        raise NotImplementedError(f"{self.name} webhooks are not registered with the provider")

    def ping(self, *, webhook: Webhook, credentials: AnyCredentials | None) -> bool:
        """Asks the provider to send a ping delivery; False if the provider cannot."""
        return False

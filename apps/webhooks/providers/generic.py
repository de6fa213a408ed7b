"""The generic webhook: any JSON sender; optionally a shared token in `X-Webhook-Secret`."""

from __future__ import annotations

import hmac
from typing import Any

from django.http import HttpRequest

from apps.webhooks.exceptions import WebhookSignatureError
from apps.webhooks.models import Webhook
from apps.webhooks.providers.base import Delivery, WebhookProvider, parse_json_object

SECRET_TOKEN_INPUT = "secret_token"
SECRET_HEADER = "X-Webhook-Secret"


class GenericWebhooks(WebhookProvider):
    name = "generic_webhook"
    # The Standard Webhooks header (https://www.standardwebhooks.com): senders repeat it on a retry.
    delivery_id_header = "Webhook-Id"

    def receive(
        self, *, webhook: Webhook, secret: str, request: HttpRequest, trigger_inputs: list[dict[str, Any]]
    ) -> Delivery:
        expected = next(
            (
                value
                for inputs in trigger_inputs
                if isinstance(value := inputs.get(SECRET_TOKEN_INPUT), str) and value.strip()
            ),
            None,
        )
        # Read from the triggers at delivery time, so changing the token on the node takes effect at once.
        if expected is not None:
            provided = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(provided.encode(), expected.encode()):
                raise WebhookSignatureError(f"Invalid or missing {SECRET_HEADER} header")
        return Delivery(
            payload=parse_json_object(request.body), event_type="plain", delivery_id=self.delivery_id(request)
        )

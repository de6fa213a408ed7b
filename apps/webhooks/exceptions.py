"""Webhook errors, rendered by the one exception handler."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError, NotFoundError


class WebhookNotFoundError(NotFoundError):
    """Unknown, another provider's, or (for ping) someone else's: all look the same."""

    def __init__(self, webhook_id: object) -> None:
        super().__init__(f"Webhook #{webhook_id} not found")


class WebhookSignatureError(ApplicationError):
    status_code = 401
    code = "WEBHOOK_SIGNATURE_INVALID"
    hint = "Sign the delivery with the webhook's secret, as the provider does."


class WebhookPayloadError(ApplicationError):
    code = "WEBHOOK_PAYLOAD_INVALID"
    hint = "Send a JSON object as the body."


class WebhookPayloadTooLargeError(ApplicationError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    hint = "Send a smaller payload."


class WebhookSetupError(ApplicationError):
    """The provider refused to register (or remove) the webhook, or the platform cannot host webhooks."""

    code = "WEBHOOK_SETUP_FAILED"
    hint = "Check the trigger's inputs and credentials, then save again."


class WebhookPingTimeoutError(ApplicationError):
    status_code = 504
    code = "WEBHOOK_PING_TIMEOUT"
    hint = "Check that the provider can reach PLATFORM_BASE_URL."

    def default_message(self) -> str:
        return "Webhook ping timed out"

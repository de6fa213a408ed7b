"""GitHub repository webhooks, over GitHub's REST API (`GITHUB_API_BASE_URL`).

Deliveries are signed: `X-Hub-Signature-256` is `sha256=` and the HMAC-SHA256 of
the body under the webhook's secret; `X-GitHub-Event` names the event, refined by
the payload's `action` (`pull_request.opened`); `X-GitHub-Delivery` is the id a
redelivery repeats.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
from django.conf import settings
from django.http import HttpRequest

from apps.credentials.types import AnyCredentials
from apps.webhooks.exceptions import WebhookPayloadError, WebhookSetupError, WebhookSignatureError
from apps.webhooks.models import Webhook
from apps.webhooks.providers.base import Delivery, Registration, WebhookProvider, parse_json_object

TIMEOUT = httpx.Timeout(10.0)
MAX_ERROR_CHARS = 300


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class GitHubWebhooks(WebhookProvider):
    name = "github"
    automatic = True
    delivery_id_header = "X-GitHub-Delivery"

    def receive(
        self, *, webhook: Webhook, secret: str, request: HttpRequest, trigger_inputs: list[dict[str, Any]]
    ) -> Delivery:
        signature = request.headers.get("X-Hub-Signature-256")
        if not signature:
            raise WebhookSignatureError("X-Hub-Signature-256 header is missing!")
        if not hmac.compare_digest(github_signature(secret, request.body).encode(), signature.encode()):
            raise WebhookSignatureError("Request signatures didn't match!")
        event_type = request.headers.get("X-GitHub-Event")
        if not event_type:
            raise WebhookPayloadError("X-GitHub-Event header is missing!")
        payload = parse_json_object(request.body)
        if isinstance(action := payload.get("action"), str) and action:
            event_type = f"{event_type}.{action}"
        return Delivery(payload=payload, event_type=event_type, delivery_id=self.delivery_id(request))

    def _client(self, credentials: AnyCredentials) -> httpx.Client:
        return httpx.Client(
            base_url=settings.PROVIDER_BASE_URLS["github_api"],
            headers={"Accept": "application/vnd.github.v3+json", "Authorization": credentials.auth_header()},
            timeout=TIMEOUT,
            trust_env=False,
        )

    def _call(
        self, credentials: AnyCredentials, method: str, path: str, expected: set[int], what: str, **kwargs: Any
    ) -> httpx.Response:
        try:
            with self._client(credentials) as client:
                response = client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise WebhookSetupError(f"Failed to {what} GitHub webhook: {type(error).__name__}") from error
        if response.status_code not in expected:
            raise WebhookSetupError(f"Failed to {what} GitHub webhook: {response.text[:MAX_ERROR_CHARS]}")
        return response

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
        if webhook_type == "repo" and resource.count("/") != 1:
            raise WebhookSetupError("Invalid repo format: expected 'owner/repo'")
        body = {
            "name": "web",
            "active": True,
            # GitHub subscribes to whole events: `pull_request.opened` is `pull_request`.
            "events": sorted({event.split(".")[0] for event in events}),
            "config": {"url": ingress_url, "content_type": "json", "insecure_ssl": "0", "secret": secret},
        }
        answer = self._call(credentials, "POST", f"/repos/{resource}/hooks", {201}, "create", json=body).json()
        config = {key: value for key, value in (answer.get("config") or {}).items() if key != "secret"}
        return Registration(provider_webhook_id=str(answer["id"]), config=config)

    def deregister(self, *, webhook: Webhook, credentials: AnyCredentials) -> None:
        # 404: already gone at GitHub, which is what was wanted.
        self._call(
            credentials,
            "DELETE",
            f"/repos/{webhook.resource}/hooks/{webhook.provider_webhook_id}",
            {204, 404},
            "delete",
        )

    def ping(self, *, webhook: Webhook, credentials: AnyCredentials | None) -> bool:
        if credentials is None:
            return False
        self._call(
            credentials, "POST", f"/repos/{webhook.resource}/hooks/{webhook.provider_webhook_id}/pings", {204}, "ping"
        )
        return True

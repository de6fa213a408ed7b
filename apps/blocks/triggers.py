"""What makes a block a trigger: the webhook it needs, and which events start it.

A trigger node starts runs when its webhook receives a delivery (apps/webhooks).
Manual webhooks (the generic one) only need to exist: the user points a sender at
their URL. Automatic ones are registered with the provider through its API, on the
resource named by the node's inputs (`resource_format`), with the user's credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WebhookConfig:
    provider: str
    webhook_type: str
    # Registered with the provider (True) or only created here, for the user to hand out (False).
    automatic: bool = True
    # e.g. "{repo}": formatted with the node's inputs.
    resource_format: str = ""
    # The input holding `{event: bool}`; empty when every delivery starts a run.
    event_filter_input: str = ""
    # How a filter key becomes the provider's event name, e.g. "pull_request.{event}".
    event_format: str = "{event}"

    def resource(self, inputs: dict[str, Any]) -> str | None:
        """The resource the node subscribes to, or None while an input it needs is missing."""
        try:
            return self.resource_format.format(**inputs)
        except (KeyError, IndexError):
            return None

    def events(self, inputs: dict[str, Any]) -> list[str] | None:
        """The provider event names the node's filter enables; None if it has a filter with nothing enabled."""
        if not self.event_filter_input:
            return []
        event_filter = inputs.get(self.event_filter_input)
        if not isinstance(event_filter, dict) or not any(value is True for value in event_filter.values()):
            return None
        return sorted(self.event_format.format(event=name) for name, value in event_filter.items() if value is True)

    def is_triggered_by(self, inputs: dict[str, Any], event_type: str) -> bool:
        if not self.event_filter_input:
            return True
        return event_type in (self.events(inputs) or [])
